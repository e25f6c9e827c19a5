//! A one-shot background task with progress and cancel: a named thread runs one piece of
//! long work (training several models, fitting a Bézier path), reports how far it got,
//! checks a stop flag, and hands back one result. The UI polls it every frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// What the work sees: the stop flag and the progress it reports.
#[derive(Clone)]
pub struct TaskContext {
    stop: Arc<AtomicBool>,
    progress: Arc<Mutex<(f32, String)>>,
    ctx: egui::Context,
}

impl TaskContext {
    /// The stop flag (for core functions that take one).
    pub fn stop_flag(&self) -> &AtomicBool {
        &self.stop
    }

    /// Whether cancel was pressed.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Reports progress (a fraction in [0, 1] and a line of text) and asks for a repaint.
    pub fn report(&self, fraction: f32, text: impl Into<String>) {
        if let Ok(mut p) = self.progress.lock() {
            *p = (fraction.clamp(0.0, 1.0), text.into());
        }
        self.ctx.request_repaint();
    }
}

/// A running (or finished) task producing `Res`.
pub struct Task<Res: Send + 'static> {
    context: TaskContext,
    result: Receiver<Res>,
    thread: Option<JoinHandle<()>>,
    /// Set once the result was taken (or the thread ended without one).
    done: bool,
}

impl<Res: Send + 'static> Task<Res> {
    /// Starts `work` on a thread called `name`; its result asks `ctx` for a repaint.
    pub fn spawn(
        name: &str,
        ctx: &egui::Context,
        work: impl FnOnce(&TaskContext) -> Res + Send + 'static,
    ) -> Result<Self, String> {
        let context = TaskContext {
            stop: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(Mutex::new((0.0, String::new()))),
            ctx: ctx.clone(),
        };
        let (tx, result) = mpsc::sync_channel(1);
        let worker = context.clone();
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let res = work(&worker);
                let _ = tx.send(res);
                worker.ctx.request_repaint();
            })
            .map_err(|e| format!("cannot start the {name} thread: {e}"))?;
        Ok(Self {
            context,
            result,
            thread: Some(thread),
            done: false,
        })
    }

    /// Asks the work to stop; its (partial) result still arrives through [`Self::poll`].
    pub fn cancel(&self) {
        self.context.stop.store(true, Ordering::Relaxed);
    }

    /// Whether cancel was asked for.
    pub fn cancelling(&self) -> bool {
        self.context.stopped()
    }

    /// The last progress reported.
    pub fn progress(&self) -> (f32, String) {
        self.context
            .progress
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    /// The result, once; `Some(Err)` if the thread ended without one (a panic).
    pub fn poll(&mut self) -> Option<Result<Res, String>> {
        if self.done {
            return None;
        }
        match self.result.try_recv() {
            Ok(r) => {
                self.done = true;
                Some(Ok(r))
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.done = true;
                Some(Err("the background task stopped unexpectedly".into()))
            }
        }
    }

    /// Whether the result is still to come.
    pub fn running(&self) -> bool {
        !self.done
    }
}

impl<Res: Send + 'static> Drop for Task<Res> {
    fn drop(&mut self) {
        self.cancel();
        if let Some(t) = self.thread.take() {
            // The channel has room for the one result, so the thread never blocks on it.
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait<R: Send + 'static>(task: &mut Task<R>) -> Result<R, String> {
        let start = Instant::now();
        loop {
            if let Some(r) = task.poll() {
                return r;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "no result");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    #[allow(clippy::float_cmp)] // 0.5 is stored and read back exactly
    fn a_task_reports_progress_and_stops_when_cancelled() {
        let ctx = egui::Context::default();
        let mut task = Task::spawn("test-task", &ctx, |c| {
            let mut n = 0u64;
            while !c.stopped() {
                n += 1;
                c.report(0.5, format!("{n}"));
                std::thread::sleep(Duration::from_millis(1));
            }
            n
        })
        .unwrap();
        let start = Instant::now();
        while task.progress().1.is_empty() && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(task.progress().0, 0.5);
        assert!(task.running());
        task.cancel();
        let n = wait(&mut task).unwrap();
        assert!(n >= 1);
        assert!(!task.running());
        assert!(task.poll().is_none(), "the result comes once");
    }

    #[test]
    fn a_panicking_task_ends_with_an_error_not_a_hang() {
        let ctx = egui::Context::default();
        let mut task: Task<u32> = Task::spawn("test-task-panic", &ctx, |_| panic!("boom")).unwrap();
        assert!(wait(&mut task).is_err());
    }
}
