//! [`Goal`]: whether a metric should go down (loss, error) or up (accuracy).

/// The direction in which a metric improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// Lower is better (loss, error rate).
    Minimize,
    /// Higher is better (accuracy, F1).
    Maximize,
}

impl Goal {
    /// Whether `value` beats `best` by more than `margin` in this direction. NaN never does.
    pub fn improves(self, value: f64, best: f64, margin: f64) -> bool {
        match self {
            Goal::Minimize => value < best - margin,
            Goal::Maximize => value > best + margin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Goal;

    #[test]
    fn direction_margin_and_nan() {
        assert!(Goal::Minimize.improves(0.4, 0.5, 0.05));
        assert!(!Goal::Minimize.improves(0.46, 0.5, 0.05));
        assert!(Goal::Maximize.improves(0.9, 0.8, 0.0));
        assert!(!Goal::Maximize.improves(0.8, 0.8, 0.0));
        assert!(!Goal::Minimize.improves(f64::NAN, 0.5, 0.0));
        assert!(!Goal::Maximize.improves(f64::NAN, 0.5, 0.0));
    }
}
