import DequeModule
import Dispatch
import Foundation
import Synchronization

/// A task executor backed by one thread of its own.
///
/// A SQLite connection's work runs here under `withTaskExecutorPreference`, so a whole transaction
/// (its statements are synchronous C calls) executes on one thread without hopping per statement,
/// and disk I/O never blocks the cooperative pool, which has only as many threads as cores.
final class DedicatedThreadExecutor: TaskExecutor, Sendable {
    private struct Queue {
        var jobs = Deque<UnownedJob>()
        var stopping = false
    }

    private let queue = Mutex(Queue())
    private let wakeUp = DispatchSemaphore(value: 0)

    init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
        wakeUp.signal()
    }

    /// Lets the thread finish: jobs already queued still run, then it exits.
    func stop() {
        queue.withLock { $0.stopping = true }
        wakeUp.signal()
    }

    private func run() {
        while true {
            wakeUp.wait()
            let next = queue.withLock { queue -> (job: UnownedJob?, stop: Bool) in
                (queue.jobs.popFirst(), queue.stopping && queue.jobs.isEmpty)
            }
            if let job = next.job {
                job.runSynchronously(on: asUnownedTaskExecutor())
            } else if next.stop {
                return
            }
        }
    }
}
