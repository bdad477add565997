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
        // Named from inside: a new thread otherwise keeps its creator's name (what `top` and `perf` show).
        let thread = Thread { [self] in
            Thread.current.name = name
            run()
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopping else { return false }
            queue.jobs.append(job)
            return true
        }
        if accepted {
            wakeUp.signal()
        } else {
            // After `stop` the thread is gone; late work (which finds its connection closed) runs elsewhere.
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
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
