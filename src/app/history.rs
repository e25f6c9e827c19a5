//! Undo and redo (Ctrl+Z, Ctrl+Shift+Z) of the user's edits to the scene: data points
//! and targets, weights, the model, training settings and the slice. Each entry is the
//! scene before an edit. The many small moves of one drag (or of one slider) make one
//! entry, so undo puts a dragged point back exactly where it was.

use crate::core::Scene;

/// Most edits kept.
pub const MAX_UNDO: usize = 200;

/// Which edit an action is, for merging the steps of one gesture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKey {
    MovePoint(usize),
    SetTarget(usize),
    SetParameter(usize),
    /// Every other edit is an entry of its own.
    Other,
}

/// A scene before (or, on the redo stack, after) an edit, and whether the edit changed θ
/// (if not, undoing it keeps θ where training has taken it since).
#[derive(Clone, Debug)]
struct Entry {
    scene: Scene,
    touches_theta: bool,
}

/// The undo and redo stacks.
#[derive(Default)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    /// The gesture in progress: further edits with this key merge into its entry.
    open: Option<EditKey>,
}

impl History {
    /// Records an edit from `before` to `after` (nothing when they are equal).
    pub fn record(&mut self, key: EditKey, before: Scene, after: &Scene) {
        if before == *after {
            return;
        }
        self.redo.clear();
        if key != EditKey::Other && self.open == Some(key) {
            return;
        }
        self.undo.push(Entry {
            touches_theta: before.parameters != after.parameters,
            scene: before,
        });
        if self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
        }
        self.open = Some(key);
    }

    /// Ends the gesture in progress (the pointer was released).
    pub fn end_gesture(&mut self) {
        self.open = None;
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// The scene to go back to from `current`, which becomes redoable.
    pub fn undo(&mut self, current: &Scene) -> Option<Scene> {
        let entry = self.undo.pop()?;
        self.open = None;
        let scene = restored(entry.scene, current, entry.touches_theta);
        self.redo.push(Entry {
            scene: current.clone(),
            touches_theta: entry.touches_theta,
        });
        Some(scene)
    }

    /// The scene an undo went back from.
    pub fn redo(&mut self, current: &Scene) -> Option<Scene> {
        let entry = self.redo.pop()?;
        self.open = None;
        let scene = restored(entry.scene, current, entry.touches_theta);
        self.undo.push(Entry {
            scene: current.clone(),
            touches_theta: entry.touches_theta,
        });
        Some(scene)
    }
}

/// `saved`, with the current θ kept when the edit did not change θ and the model is the
/// same (training since the edit is not undone with it).
fn restored(mut saved: Scene, current: &Scene, touches_theta: bool) -> Scene {
    if !touches_theta && saved.model == current.model {
        saved.parameters.clone_from(&current.parameters);
    }
    saved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_drag_is_one_entry_and_undo_redo_restore_exactly() {
        let start = Scene::resolve("xor").unwrap();
        let mut h = History::default();
        let mut scene = start.clone();
        for step in 1..=10 {
            let before = scene.clone();
            scene.data.inputs[2] = vec![0.1 * f64::from(step), -0.3];
            h.record(EditKey::MovePoint(2), before, &scene);
        }
        h.end_gesture();
        let moved = scene.clone();
        let back = h.undo(&scene).unwrap();
        assert_eq!(back.data.inputs, start.data.inputs);
        assert!(!h.can_undo());
        let again = h.redo(&back).unwrap();
        assert_eq!(again.data.inputs, moved.data.inputs);
        // A data edit keeps θ as training left it.
        let mut trained = again.clone();
        trained.parameters[0] += 1.0;
        let undone = h.undo(&trained).unwrap();
        assert_eq!(undone.parameters, trained.parameters);
    }
}
