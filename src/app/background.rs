//! A background job that always works on the latest request: the UI posts requests
//! every frame if it likes, the worker computes only the newest one, and results come
//! back over a bounded channel. [`LazyJob`] starts one on its first request; the app's
//! jobs are all made in `jobs.rs`.

use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

struct Shared<Req> {
    pending: Mutex<(Option<Req>, bool)>,
    wake: Condvar,
}

/// A named worker thread computing `Res` from the newest `Req`.
pub struct LatestJob<Req: Send + 'static, Res: Send + 'static> {
    shared: Arc<Shared<Req>>,
    results: Receiver<Res>,
    thread: Option<JoinHandle<()>>,
    /// Requests posted minus results received: the UI shows a spinner while > 0.
    in_flight: usize,
    /// The results channel was found closed: the thread is ending (a panic in
    /// `compute`) even if its handle does not say finished yet.
    disconnected: bool,
}

impl<Req: Send + 'static, Res: Send + 'static> LatestJob<Req, Res> {
    /// Spawns the thread; `on_result` runs after each result is sent (request_repaint).
    pub fn spawn(
        name: &str,
        compute: impl Fn(Req) -> Res + Send + 'static,
        on_result: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            pending: Mutex::new((None, false)),
            wake: Condvar::new(),
        });
        let (tx, results): (SyncSender<Res>, _) = mpsc::sync_channel(2);
        let worker_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                loop {
                    let request = {
                        let Ok(mut guard) = worker_shared.pending.lock() else {
                            return;
                        };
                        loop {
                            if guard.1 {
                                return;
                            }
                            if let Some(r) = guard.0.take() {
                                break r;
                            }
                            guard = match worker_shared.wake.wait(guard) {
                                Ok(g) => g,
                                Err(_) => return,
                            };
                        }
                    };
                    let result = compute(request);
                    if tx.send(result).is_err() {
                        return;
                    }
                    on_result();
                }
            })?;
        Ok(Self {
            shared,
            results,
            thread: Some(thread),
            in_flight: 0,
            disconnected: false,
        })
    }

    /// Replaces any request not yet started with this one.
    pub fn request(&mut self, request: Req) {
        if let Ok(mut guard) = self.shared.pending.lock() {
            if guard.0.is_none() {
                self.in_flight += 1;
            }
            guard.0 = Some(request);
            self.shared.wake.notify_one();
        }
    }

    /// The newest result that arrived since the last call.
    pub fn poll(&mut self) -> Option<Res> {
        let mut latest = None;
        loop {
            match self.results.try_recv() {
                Ok(r) => {
                    self.in_flight = self.in_flight.saturating_sub(1);
                    latest = Some(r);
                }
                Err(TryRecvError::Empty) => return latest,
                Err(TryRecvError::Disconnected) => {
                    // The thread ended (a panic in `compute`): nothing is in flight now.
                    self.in_flight = 0;
                    self.disconnected = true;
                    return latest;
                }
            }
        }
    }

    /// Whether a request is queued or being computed.
    pub fn busy(&self) -> bool {
        self.in_flight > 0
    }

    /// Whether the thread has ended or is ending (only a panic in `compute` ends it
    /// early). Its channel closes while it unwinds, before its handle says finished.
    pub fn stopped(&self) -> bool {
        self.disconnected || self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

/// A [`LatestJob`] started on its first request, so an unused view costs no thread.
pub struct LazyJob<Req: Send + 'static, Res: Send + 'static> {
    name: &'static str,
    compute: fn(Req) -> Res,
    ctx: egui::Context,
    job: Option<LatestJob<Req, Res>>,
}

impl<Req: Send + 'static, Res: Send + 'static> LazyJob<Req, Res> {
    /// A job named `name` (the thread's name) computing `compute`; each result asks `ctx`
    /// for a repaint.
    pub fn new(name: &'static str, compute: fn(Req) -> Res, ctx: egui::Context) -> Self {
        Self {
            name,
            compute,
            ctx,
            job: None,
        }
    }

    /// Posts `request` (replacing any not yet started), starting the thread if needed.
    pub fn request(&mut self, request: Req) -> Result<(), String> {
        if self.job.as_ref().is_some_and(LatestJob::stopped) {
            log::error!("the {} thread stopped; starting it again", self.name);
            self.job = None;
        }
        if self.job.is_none() {
            let ctx = self.ctx.clone();
            let job = LatestJob::spawn(self.name, self.compute, move || ctx.request_repaint())
                .map_err(|e| format!("cannot start the {} thread: {e}", self.name))?;
            self.job = Some(job);
        }
        if let Some(job) = &mut self.job {
            job.request(request);
        }
        Ok(())
    }

    /// The newest result that arrived since the last call.
    pub fn poll(&mut self) -> Option<Res> {
        self.job.as_mut().and_then(LatestJob::poll)
    }

    /// Whether a request is queued or being computed.
    pub fn busy(&self) -> bool {
        self.job.as_ref().is_some_and(LatestJob::busy)
    }
}

impl<Req: Send + 'static, Res: Send + 'static> Drop for LatestJob<Req, Res> {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.shared.pending.lock() {
            guard.1 = true;
            self.shared.wake.notify_one();
        }
        while self.results.try_recv().is_ok() {}
        if let Some(t) = self.thread.take() {
            // The thread may be blocked sending; draining once more unblocks it.
            while !t.is_finished() {
                while self.results.try_recv().is_ok() {}
                std::thread::yield_now();
            }
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_request_matters_and_results_arrive() {
        let mut job = LatestJob::spawn("test-job", |x: u32| x * 2, || {}).unwrap();
        for i in 0..100 {
            job.request(i);
        }
        let mut last = None;
        for _ in 0..1000 {
            if let Some(r) = job.poll() {
                last = Some(r);
                if r == 198 {
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(last, Some(198));
        assert!(!job.busy());
    }

    /// A request that panics ends the thread; the job is then idle, not busy forever,
    /// and the next request starts a new thread that answers it.
    #[test]
    fn a_panicking_request_leaves_the_job_restartable() {
        let ctx = egui::Context::default();
        let mut job = LazyJob::new(
            "test-panicking-job",
            |x: u32| {
                assert!(x != 0, "zero is refused");
                x + 1
            },
            ctx,
        );
        job.request(0).unwrap();
        let start = std::time::Instant::now();
        while job.busy() && start.elapsed() < std::time::Duration::from_secs(10) {
            let _ = job.poll();
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(!job.busy());
        job.request(41).unwrap();
        let mut answer = None;
        while answer.is_none() && start.elapsed() < std::time::Duration::from_secs(10) {
            answer = job.poll();
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(answer, Some(42));
    }
}
