//! priority: the node group with the highest `expander-priority` (pools without one come last).

use super::{keep_max, Narrow, ScaleUpOption};

pub(super) struct Priority;

impl Narrow for Priority {
    fn narrow(&self, options: &[ScaleUpOption], keep: &mut Vec<usize>) {
        keep_max(keep, |i| options[i].priority);
    }
}
