//! least-waste: the node group whose new nodes would leave the least CPU and memory idle.

use super::{keep_max, Narrow, ScaleUpOption};

pub(super) struct LeastWaste;

impl Narrow for LeastWaste {
    fn narrow(&self, options: &[ScaleUpOption], keep: &mut Vec<usize>) {
        keep_max(keep, |i| -options[i].waste());
    }
}
