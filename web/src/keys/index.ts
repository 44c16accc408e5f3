export * from './crypto'
export * from './keyfile'
export * from './entry'
