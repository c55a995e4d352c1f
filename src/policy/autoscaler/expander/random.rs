//! random: any node group that helps, uniformly (the real autoscaler's default expander).

use super::{Narrow, ScaleUpOption};

pub(super) struct Random;

impl Narrow for Random {
    fn narrow(&self, _options: &[ScaleUpOption], _keep: &mut Vec<usize>) {}
}
