export * from './bytes'
export * from './crypto'
export * from './keyfile'
export * from './entry'
