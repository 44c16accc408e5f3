//! The time a connection may take at each step, so that a client that is
//! slow on purpose (slow-loris) cannot hold a connection:
//!
//! - **header**: a request head (request line and headers) must arrive in
//!   full within `header` of the connection's start, or of its first byte
//!   on a kept-alive connection;
//! - **idle**: a kept-alive connection may wait at most `idle` for the
//!   first byte of its next request;
//! - **request**: once the head is in, the body must arrive and the answer
//!   be ready within `request` ([`DeadlineBody`] and the serving loop);
//! - **write**: an answer whose writing makes no progress for `request`
//!   (the client stopped reading) ends the connection.
//!
//! [`TimedIo`] wraps the connection's stream and enforces the header, idle
//! and write limits by failing the read or write hyper is waiting on, which
//! closes the connection. It learns where the connection is from
//! [`ConnPhase`], which the serving loop moves to *busy* when hyper hands it
//! a request and back to *idle* when the answer's body is done
//! ([`DoneBody`]).

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::body::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{sleep_until, Instant, Sleep};

/// The limits of one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnTimeouts {
    /// For a whole request head.
    pub header: Duration,
    /// For the next request on a kept-alive connection to start.
    pub idle: Duration,
    /// For a request's body and answer; also for a stalled write.
    pub request: Duration,
}

/// Which limit ended a connection or request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// A request head arrived too slowly.
    Header,
    /// A kept-alive connection idled too long.
    Idle,
    /// A request body arrived too slowly.
    Body,
    /// The answer was not ready in time.
    Handler,
    /// The client stopped reading its answer.
    Write,
}

impl TimeoutKind {
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Idle => "idle",
            Self::Body => "body",
            Self::Handler => "handler",
            Self::Write => "write",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Reading a request head that began at `since` (or waiting for the
    /// first one of a new connection).
    Head { since: Instant },
    /// A request is being answered.
    Busy,
    /// Answered; waiting since `since` for the next request.
    Idle { since: Instant },
}

/// Where a connection is: reading a head, answering, or idle.
#[derive(Debug)]
pub struct ConnPhase(Mutex<PhaseState>);

#[derive(Debug)]
struct PhaseState {
    phase: Phase,
    /// The task of a read left pending while busy, woken when the answer
    /// is done so that the idle limit starts to run: hyper does not read
    /// again by itself until bytes arrive.
    reader: Option<Waker>,
}

impl ConnPhase {
    /// A connection that started at `start` and waits for its first head.
    pub fn new(start: Instant) -> Arc<Self> {
        Arc::new(Self(Mutex::new(PhaseState {
            phase: Phase::Head { since: start },
            reader: None,
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PhaseState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A whole request head has arrived.
    pub fn request_started(&self) {
        self.lock().phase = Phase::Busy;
    }

    /// The answer is written (or abandoned): the connection idles, and a
    /// read waiting since it was busy is woken to time the idling.
    pub fn request_finished(&self) {
        let reader = {
            let mut s = self.lock();
            s.phase = Phase::Idle {
                since: Instant::now(),
            };
            s.reader.take()
        };
        if let Some(w) = reader {
            w.wake();
        }
    }

    /// Bytes arrived at `now`: an idle connection starts reading a head.
    fn bytes_arrived(&self, now: Instant) {
        let mut s = self.lock();
        if let Phase::Idle { .. } = s.phase {
            s.phase = Phase::Head { since: now };
        }
    }

    /// When reading must have made progress by, and which limit that is;
    /// none while busy, when `cx`'s task is kept to be woken at the end.
    fn read_deadline(
        &self,
        t: &ConnTimeouts,
        cx: Option<&Context<'_>>,
    ) -> Option<(Instant, TimeoutKind)> {
        let mut s = self.lock();
        match s.phase {
            Phase::Head { since } => Some((since + t.header, TimeoutKind::Header)),
            Phase::Idle { since } => Some((since + t.idle, TimeoutKind::Idle)),
            Phase::Busy => {
                if let Some(cx) = cx {
                    if !s.reader.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        s.reader = Some(cx.waker().clone());
                    }
                }
                None
            }
        }
    }
}

/// A connection's stream with the header, idle and write limits; a limit
/// that passes fails the pending read or write with
/// [`io::ErrorKind::TimedOut`] and the caller's `on_timeout` is told which.
pub struct TimedIo<I> {
    io: I,
    phase: Arc<ConnPhase>,
    timeouts: ConnTimeouts,
    read_timer: Option<Pin<Box<Sleep>>>,
    write_timer: Option<Pin<Box<Sleep>>>,
    /// Whether `write_timer` runs for the current stall.
    write_stalled: bool,
    on_timeout: Box<dyn Fn(TimeoutKind) + Send + Sync>,
}

impl<I> TimedIo<I> {
    /// Wraps `io`, whose place in the request cycle `phase` tracks.
    pub fn new(
        io: I,
        phase: Arc<ConnPhase>,
        timeouts: ConnTimeouts,
        on_timeout: impl Fn(TimeoutKind) + Send + Sync + 'static,
    ) -> Self {
        Self {
            io,
            phase,
            timeouts,
            read_timer: None,
            write_timer: None,
            write_stalled: false,
            on_timeout: Box::new(on_timeout),
        }
    }

    fn timed_out(&self, kind: TimeoutKind) -> io::Error {
        (self.on_timeout)(kind);
        io::Error::new(io::ErrorKind::TimedOut, format!("{} timeout", kind.label()))
    }

    /// A read is pending: fails it if the phase's deadline has passed, else
    /// makes sure this task wakes at the deadline.
    fn read_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some((deadline, kind)) = self.phase.read_deadline(&self.timeouts, Some(cx)) else {
            return Poll::Pending;
        };
        let timer = self
            .read_timer
            .get_or_insert_with(|| Box::pin(sleep_until(deadline)));
        if timer.deadline() != deadline {
            timer.as_mut().reset(deadline);
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(self.timed_out(kind)));
        }
        Poll::Pending
    }

    /// A write is pending: starts the stall timer, or fails the write once
    /// it has run out.
    fn write_pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let deadline = Instant::now() + self.timeouts.request;
        let timer = self
            .write_timer
            .get_or_insert_with(|| Box::pin(sleep_until(deadline)));
        if !self.write_stalled {
            self.write_stalled = true;
            timer.as_mut().reset(deadline);
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(self.timed_out(TimeoutKind::Write)));
        }
        Poll::Pending
    }

    fn wrote<T>(&mut self, r: Poll<io::Result<T>>, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match r {
            Poll::Pending => self.write_pending(cx),
            ready => {
                self.write_stalled = false;
                ready
            }
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for TimedIo<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.phase.bytes_arrived(Instant::now());
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.read_pending(cx),
        }
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for TimedIo<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write(cx, buf);
        this.wrote(r, cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.wrote(r, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_flush(cx);
        this.wrote(r, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.io).poll_shutdown(cx);
        this.wrote(r, cx)
    }
}

/// The body did not arrive before the request's deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimedOut;

/// A request body that fails once the request's deadline has passed, and
/// says so in `timed_out`.
pub struct DeadlineBody<B> {
    inner: B,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
    timed_out: Arc<AtomicBool>,
}

impl<B> DeadlineBody<B> {
    /// `inner`, due in full by `deadline`.
    pub fn new(inner: B, deadline: Instant, timed_out: Arc<AtomicBool>) -> Self {
        Self {
            inner,
            deadline,
            timer: None,
            timed_out,
        }
    }
}

impl<B> Body for DeadlineBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(timer) = this.timer.as_mut() {
            if timer.as_mut().poll(cx).is_ready() {
                this.timed_out.store(true, Ordering::Relaxed);
                return Poll::Ready(Some(Err(BodyTimedOut.into())));
            }
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending => {
                let deadline = this.deadline;
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(sleep_until(deadline)));
                if timer.as_mut().poll(cx).is_ready() {
                    this.timed_out.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(BodyTimedOut.into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// An answer's body that marks its connection idle when it is done (read
/// to its end, or dropped by hyper).
pub struct DoneBody<B> {
    inner: B,
    phase: Arc<ConnPhase>,
}

impl<B> DoneBody<B> {
    /// `inner`, the answer on the connection of `phase`.
    pub fn new(inner: B, phase: Arc<ConnPhase>) -> Self {
        Self { inner, phase }
    }
}

impl<B: Body + Unpin> Body for DoneBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for DoneBody<B> {
    fn drop(&mut self) {
        self.phase.request_finished();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: ConnTimeouts = ConnTimeouts {
        header: Duration::from_secs(10),
        idle: Duration::from_secs(60),
        request: Duration::from_secs(30),
    };

    #[test]
    fn the_phase_picks_the_limit() {
        let t0 = Instant::now();
        let p = ConnPhase::new(t0);
        assert_eq!(
            p.read_deadline(&T, None),
            Some((t0 + T.header, TimeoutKind::Header)),
            "a new connection must send its first head in time"
        );
        p.bytes_arrived(t0 + Duration::from_secs(1));
        assert_eq!(
            p.read_deadline(&T, None),
            Some((t0 + T.header, TimeoutKind::Header)),
            "more bytes of the same head do not extend it"
        );
        p.request_started();
        assert_eq!(
            p.read_deadline(&T, None),
            None,
            "the body has its own limit"
        );
        p.request_finished();
        let Some((idle_until, TimeoutKind::Idle)) = p.read_deadline(&T, None) else {
            panic!("idle after the answer");
        };
        let t1 = idle_until - T.idle + Duration::from_secs(5);
        p.bytes_arrived(t1);
        assert_eq!(
            p.read_deadline(&T, None),
            Some((t1 + T.header, TimeoutKind::Header)),
            "the next head is timed from its first byte"
        );
    }

    #[test]
    fn a_read_left_pending_while_busy_is_woken_when_the_answer_is_done() {
        use std::sync::atomic::AtomicUsize;
        struct Count(AtomicUsize);
        impl std::task::Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let cx = Context::from_waker(&waker);
        let p = ConnPhase::new(Instant::now());
        p.request_started();
        assert_eq!(p.read_deadline(&T, Some(&cx)), None);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        p.request_finished();
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            1,
            "woken to time the idling"
        );
        p.request_finished();
        assert_eq!(count.0.load(Ordering::SeqCst), 1, "once");
    }
}
