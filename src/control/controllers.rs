//! The replica controller (services keep their declared replicas) and the job
//! controller (each task runs to completion; failed pods are recreated with
//! exponential back-off up to a limit).

use crate::cluster::{Outcome, Pod, PodId, PodPhase, SpecId};
use crate::engine::SimTime;
use crate::simulation::{Event, Role, Simulation};

impl Simulation<'_> {
    /// Creates a pending pod and queues it for the scheduler.
    pub(crate) fn new_pod(
        &mut self,
        spec: SpecId,
        owner: usize,
        task: u32,
        attempt: u32,
        work: Option<SimTime>,
    ) -> PodId {
        let kind = self.owners[owner].kind;
        let pod = self.cluster.add_pod(Pod {
            id: PodId(0),
            serial: 0,
            spec,
            kind,
            owner: owner as u32,
            task,
            attempt,
            phase: PodPhase::Pending,
            outcome: None,
            node: None,
            last_node: None,
            submit: self.now,
            bound_at: None,
            started_at: None,
            run_started: None,
            ended_at: None,
            work,
            epoch: 0,
            restarts: 0,
        });
        self.pending.push(spec, pod);
        self.request_cycle();
        pod
    }

    /// Adjusts a service's running count and the availability sums.
    pub(crate) fn service_running_changed(&mut self, svc: usize, delta: i32) {
        self.integrate_load(svc);
        let s = &mut self.services[svc];
        let before = s.running.min(s.desired) as u64;
        s.running = s.running.checked_add_signed(delta).unwrap_or(0);
        let after = s.running.min(s.desired) as u64;
        self.replicas_available = self.replicas_available + after - before;
        self.service_changed(svc);
    }

    /// Declares a service's replicas and lets the controller act.
    pub(crate) fn set_desired(&mut self, svc: usize, replicas: u32) {
        let s = &mut self.services[svc];
        let before = s.running.min(s.desired) as u64;
        self.replicas_desired = self.replicas_desired - s.desired as u64 + replicas as u64;
        s.desired = replicas;
        let after = s.running.min(s.desired) as u64;
        self.replicas_available = self.replicas_available + after - before;
        self.service_changed(svc);
        self.reconcile_service(svc);
    }

    /// Creates or deletes pods until the service has as many as it declares.
    fn reconcile_service(&mut self, svc: usize) {
        while (self.services[svc].active.len() as u32) < self.services[svc].desired {
            let s = &mut self.services[svc];
            let (spec, serial) = (s.spec, s.serial);
            s.serial += 1;
            let pod = self.new_pod(spec, svc, serial, 0, None);
            self.services[svc].active.push(pod);
        }
        while (self.services[svc].active.len() as u32) > self.services[svc].desired {
            // Delete the least useful replica first, as a ReplicaSet does:
            // pending, then on a dead node, then starting, then running; the
            // newest first within each.
            let rank = |phase: PodPhase| match phase {
                PodPhase::Pending => 0,
                PodPhase::Lost => 1,
                PodPhase::Starting => 2,
                _ => 3,
            };
            let active = &self.services[svc].active;
            let Some(victim_idx) = (0..active.len()).min_by_key(|&i| {
                let p = self.cluster.pod(active[i]);
                (rank(p.phase), std::cmp::Reverse(p.serial))
            }) else {
                break;
            };
            let pod = self.services[svc].active.remove(victim_idx);
            self.delete_pod(pod);
        }
    }

    /// The controller deletes one of its pods.
    fn delete_pod(&mut self, pod: PodId) {
        match self.cluster.pod(pod).phase {
            PodPhase::Pending => {
                let spec = self.cluster.pod(pod).spec;
                self.pending.remove(spec, pod);
                self.cluster.pod_mut(pod).ended_at = Some(self.now);
                self.finish_pod(pod, Outcome::Deleted);
            }
            PodPhase::Running | PodPhase::Starting => self.terminate(pod, Outcome::Deleted),
            PodPhase::Lost => {
                self.finish_pod(pod, Outcome::Deleted);
                // Its node may still look Ready to the scheduler.
                self.capacity_grew();
            }
            PodPhase::Terminating | PodPhase::Done => {}
        }
    }

    /// A pod left for good without completing (evicted, failed with its
    /// node): its controller reacts. `pod` is a copy taken before it ended.
    pub(crate) fn controller_pod_gone(&mut self, pod: &Pod) {
        match self.owners[pod.owner as usize].role {
            Role::Service(svc) => {
                let active = &mut self.services[svc].active;
                if let Some(i) = active.iter().position(|x| *x == pod.id) {
                    active.remove(i);
                }
                self.reconcile_service(svc);
            }
            Role::Job(_) | Role::TraceJob(_) => self.job_task_failed(pod),
            Role::TraceService(_) => {
                // A long-running trace pod is replaced at once, as its
                // controller (not in the trace) would.
                self.new_pod(
                    pod.spec,
                    pod.owner as usize,
                    pod.task,
                    pod.attempt + 1,
                    pod.work,
                );
            }
        }
    }

    fn job_task_failed(&mut self, pod: &Pod) {
        let cp = &self.scenario.control;
        let failures = pod.attempt + 1;
        if failures > cp.job_backoff_limit {
            self.rec.tasks_failed += 1;
            let name = self.owners[pod.owner as usize].name.clone();
            self.rec.log(
                self.now,
                "task-failed",
                name,
                format!(
                    "task {} gave up after {failures} failures (backoff limit {})",
                    pod.task, cp.job_backoff_limit
                ),
            );
            return;
        }
        // 10 s, 20 s, 40 s, ... capped at 6 min (Kubernetes' Job back-off).
        let shift = (failures - 1).min(40);
        let delay = cp
            .job_backoff_base
            .saturating_mul(1u64 << shift)
            .min(cp.job_backoff_max);
        self.queue.push(
            self.now + delay,
            Event::RetryTask {
                owner: pod.owner,
                spec: pod.spec,
                task: pod.task,
                attempt: failures,
                work: pod.work,
            },
        );
    }

    pub(crate) fn retry_task(
        &mut self,
        owner: usize,
        spec: SpecId,
        task: u32,
        attempt: u32,
        work: Option<SimTime>,
    ) {
        // A trace task whose run time arrived while it waited to retry.
        let work = work.or_else(|| self.known_trace_work(owner, task));
        let pod = self.new_pod(spec, owner, task, attempt, work);
        self.trace_pod_replaced(owner, task, pod);
    }

    pub(crate) fn job_arrival(&mut self, job: usize) {
        let owner = self.job_owner(job);
        let Some((_, n)) = self.jobs[job].generator.peek() else {
            return;
        };
        for _ in 0..n {
            let j = &mut self.jobs[job];
            let task = match j.generator.take() {
                Ok(Some(t)) => t,
                Ok(None) => break,
                Err(e) => {
                    let name = &self.scenario.jobs[job].name;
                    self.fatal.get_or_insert(format!("job {name}: {e}"));
                    return;
                }
            };
            j.arrived += 1;
            let spec_id = j.specs[task.size];
            self.new_pod(spec_id, owner, task.task, 0, Some(task.work));
        }
        if let Some((at, _)) = self.jobs[job].generator.peek() {
            self.queue.push(at, Event::JobArrival { job: job as u32 });
        }
    }

    pub(crate) fn pod_finished(&mut self, pod: PodId, epoch: u32) {
        let p = self.cluster.pod(pod);
        if p.epoch != epoch || p.phase != PodPhase::Running {
            return;
        }
        if let Role::Job(j) = self.owners[p.owner as usize].role {
            self.jobs[j].completed += 1;
        }
        self.cluster.pod_mut(pod).ended_at = Some(self.now);
        self.finish_pod(pod, Outcome::Completed);
        self.capacity_grew();
    }
}
