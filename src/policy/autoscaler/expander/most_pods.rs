//! most-pods: the node group whose new nodes would take the most pending pods.

use super::{keep_max, Narrow, ScaleUpOption};

pub(super) struct MostPods;

impl Narrow for MostPods {
    fn narrow(&self, options: &[ScaleUpOption], keep: &mut Vec<usize>) {
        keep_max(keep, |i| options[i].pods);
    }
}
