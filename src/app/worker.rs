//! The training worker: a named thread that owns the [`Trainer`], takes commands over a
//! channel and streams snapshots back over a bounded one, so no frame ever waits on
//! training.

use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::core::MlpSpec;
use crate::core::data::Dataset;
use crate::core::train::{StepOutcome, Trainer, TrainingConfig};

/// What the UI asks the worker to do.
#[derive(Debug)]
pub enum WorkerCommand {
    /// Starts over with a new model, data, settings and θ (clears the history).
    Reset {
        spec: MlpSpec,
        data: Dataset,
        config: TrainingConfig,
        theta: Vec<f64>,
    },
    /// Replaces the data, keeping θ and the optimizer memory.
    SetData(Dataset),
    /// Replaces the settings; the optimizer memory is cleared if the optimizer changed.
    SetConfig(TrainingConfig),
    /// Moves θ (edited weight, click in a slice, manifold walk); clears optimizer memory.
    SetTheta(Vec<f64>),
    Play,
    Pause,
    /// Runs this many steps, then pauses.
    Step(usize),
    /// Steps per tick while playing.
    SetSpeed(usize),
    Shutdown,
}

/// State the worker reports back.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Counts `Reset` commands, so the UI can drop snapshots of an older run.
    pub generation: u64,
    pub theta: Vec<f64>,
    pub steps_done: usize,
    /// Full-batch losses of the steps since the previous snapshot.
    pub new_losses: Vec<f64>,
    /// Current full-batch loss.
    pub loss: f64,
    pub playing: bool,
    /// Set once when training stopped on a NaN/inf.
    pub diverged: bool,
}

/// Handle held by the UI.
pub struct TrainingWorker {
    commands: Sender<WorkerCommand>,
    snapshots: Receiver<Snapshot>,
    thread: Option<JoinHandle<()>>,
}

/// Snapshots in flight; when full, streaming snapshots are dropped (the next one
/// carries the state), and losses are kept for the next one.
const SNAPSHOT_CAPACITY: usize = 8;
/// Time the worker spends stepping before it reports.
const TICK: Duration = Duration::from_millis(16);

impl TrainingWorker {
    /// Spawns the worker; `on_snapshot` is called after each snapshot is sent (the app
    /// passes `ctx.request_repaint`).
    pub fn spawn(
        trainer: Trainer,
        on_snapshot: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (commands, command_rx) = mpsc::channel();
        let (snapshot_tx, snapshots) = mpsc::sync_channel(SNAPSHOT_CAPACITY);
        let thread = std::thread::Builder::new()
            .name("basinscope-training".into())
            .spawn(move || worker_loop(trainer, &command_rx, &snapshot_tx, &on_snapshot))?;
        Ok(Self {
            commands,
            snapshots,
            thread: Some(thread),
        })
    }

    pub fn send(&self, command: WorkerCommand) {
        // The worker only exits on Shutdown or when this handle is dropped.
        if self.commands.send(command).is_err() {
            log::error!("the training worker has stopped");
        }
    }

    /// All snapshots that arrived since the last call, oldest first.
    pub fn drain(&self) -> Vec<Snapshot> {
        let mut out = Vec::new();
        loop {
            match self.snapshots.try_recv() {
                Ok(s) => out.push(s),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }
}

impl Drop for TrainingWorker {
    fn drop(&mut self) {
        let _ = self.commands.send(WorkerCommand::Shutdown);
        if let Some(t) = self.thread.take() {
            // Keep draining until the thread ends: a worker that sends one more snapshot
            // after a single drain would block on the full channel, and join forever.
            while !t.is_finished() {
                while self.snapshots.try_recv().is_ok() {}
                std::thread::yield_now();
            }
            let _ = t.join();
        }
    }
}

struct Loop {
    trainer: Trainer,
    generation: u64,
    playing: bool,
    pending_steps: usize,
    speed: usize,
    unsent_losses: Vec<f64>,
    diverged: bool,
}

fn worker_loop(
    trainer: Trainer,
    commands: &Receiver<WorkerCommand>,
    snapshots: &SyncSender<Snapshot>,
    on_snapshot: &dyn Fn(),
) {
    let mut s = Loop {
        trainer,
        generation: 0,
        playing: false,
        pending_steps: 0,
        speed: 10,
        unsent_losses: Vec::new(),
        diverged: false,
    };
    loop {
        let busy = s.playing || s.pending_steps > 0;
        // Block for a command when idle; poll when training.
        let command = if busy {
            match commands.try_recv() {
                Ok(c) => Some(c),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => return,
            }
        } else {
            match commands.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        };
        if let Some(command) = command {
            if matches!(command, WorkerCommand::Shutdown) {
                return;
            }
            apply(&mut s, command);
            // Report every change right away (blocking: these must arrive).
            if !(s.playing || s.pending_steps > 0) {
                if snapshots.send(snapshot(&mut s)).is_err() {
                    return;
                }
                on_snapshot();
            }
            continue;
        }
        let started = Instant::now();
        let mut steps = 0;
        while (s.pending_steps > 0 || (s.playing && steps < s.speed)) && started.elapsed() < TICK {
            match s.trainer.step() {
                Ok(StepOutcome::Stepped { loss }) => s.unsent_losses.push(loss),
                Ok(StepOutcome::Diverged) | Err(_) => {
                    s.diverged = true;
                    s.playing = false;
                    s.pending_steps = 0;
                    break;
                }
            }
            steps += 1;
            s.pending_steps = s.pending_steps.saturating_sub(1);
        }
        let snap = snapshot(&mut s);
        let finished = !(s.playing || s.pending_steps > 0);
        if finished {
            if snapshots.send(snap).is_err() {
                return;
            }
        } else {
            match snapshots.try_send(snap) {
                Ok(()) => {}
                Err(TrySendError::Full(lost)) => {
                    // Keep the losses for the next snapshot.
                    let mut losses = lost.new_losses;
                    losses.append(&mut s.unsent_losses);
                    s.unsent_losses = losses;
                }
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
        on_snapshot();
        // Pace the stepping to the speed: `speed` steps per tick.
        let elapsed = started.elapsed();
        if !finished && let Some(rest) = TICK.checked_sub(elapsed) {
            std::thread::sleep(rest);
        }
    }
}

fn apply(s: &mut Loop, command: WorkerCommand) {
    match command {
        WorkerCommand::Reset {
            spec,
            data,
            config,
            theta,
        } => {
            let stride = s.trainer.trajectory_stride;
            s.trainer = Trainer::new(spec, data, config, theta);
            s.trainer.trajectory_stride = stride;
            s.generation += 1;
            s.playing = false;
            s.pending_steps = 0;
            s.unsent_losses.clear();
            s.diverged = false;
        }
        WorkerCommand::SetData(data) => {
            s.trainer.data = data;
            s.diverged = false;
        }
        WorkerCommand::SetConfig(config) => {
            if config.optimizer != s.trainer.config.optimizer {
                s.trainer.state = crate::core::train::OptimizerState::new(s.trainer.theta.len());
            }
            s.trainer.config = config;
            s.diverged = false;
        }
        WorkerCommand::SetTheta(theta) => {
            if theta.len() == s.trainer.theta.len() {
                s.trainer.theta = theta;
                s.trainer.state = crate::core::train::OptimizerState::new(s.trainer.theta.len());
                s.diverged = false;
            }
        }
        WorkerCommand::Play => {
            s.playing = true;
            s.diverged = false;
        }
        WorkerCommand::Pause => {
            s.playing = false;
            s.pending_steps = 0;
        }
        WorkerCommand::Step(n) => {
            s.pending_steps += n;
            s.diverged = false;
        }
        WorkerCommand::SetSpeed(n) => s.speed = n.max(1),
        WorkerCommand::Shutdown => {}
    }
}

fn snapshot(s: &mut Loop) -> Snapshot {
    Snapshot {
        generation: s.generation,
        theta: s.trainer.theta.clone(),
        steps_done: s.trainer.steps_done,
        new_losses: std::mem::take(&mut s.unsent_losses),
        loss: s.trainer.loss(),
        playing: s.playing || s.pending_steps > 0,
        diverged: s.diverged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Activation, Preset, TrainingConfig};

    fn worker() -> TrainingWorker {
        let spec = MlpSpec::new(vec![2, 4, 1], Activation::Tanh, true).unwrap();
        let data = Preset::Xor.generate(4, 0.0, 0);
        let theta = spec.init_parameters(0);
        TrainingWorker::spawn(
            Trainer::new(spec, data, TrainingConfig::default(), theta),
            || {},
        )
        .unwrap()
    }

    /// Waits for a snapshot that satisfies `done`, collecting all losses on the way.
    fn wait_for(w: &TrainingWorker, done: impl Fn(&Snapshot) -> bool) -> (Snapshot, Vec<f64>) {
        let start = Instant::now();
        let mut losses = Vec::new();
        loop {
            for s in w.drain() {
                losses.extend_from_slice(&s.new_losses);
                if done(&s) {
                    return (s, losses);
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no such snapshot arrived"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn step_runs_exactly_that_many_steps_and_reports_every_loss() {
        let w = worker();
        w.send(WorkerCommand::Step(37));
        let (s, losses) = wait_for(&w, |s| !s.playing && s.steps_done > 0);
        assert_eq!(s.steps_done, 37);
        assert_eq!(losses.len(), 37);
        assert!(losses[36] < losses[0]);
    }

    #[test]
    fn reset_starts_a_new_generation_from_the_given_theta() {
        let w = worker();
        w.send(WorkerCommand::Step(10));
        wait_for(&w, |s| s.steps_done == 10 && !s.playing);
        let spec = MlpSpec::new(vec![2, 3, 1], Activation::Relu, false).unwrap();
        let theta = spec.init_parameters(5);
        w.send(WorkerCommand::Reset {
            spec,
            data: Preset::And.generate(4, 0.0, 0),
            config: TrainingConfig::default(),
            theta: theta.clone(),
        });
        let (s, _) = wait_for(&w, |s| s.generation == 1);
        assert_eq!(s.steps_done, 0);
        assert_eq!(s.theta, theta);
    }

    #[test]
    fn play_then_pause_stops_training() {
        let w = worker();
        w.send(WorkerCommand::Play);
        wait_for(&w, |s| s.steps_done >= 20);
        w.send(WorkerCommand::Pause);
        let (paused, _) = wait_for(&w, |s| !s.playing);
        std::thread::sleep(Duration::from_millis(100));
        let later: Vec<Snapshot> = w.drain();
        assert!(
            later.iter().all(|s| s.steps_done == paused.steps_done),
            "steps ran after the pause"
        );
    }
}
