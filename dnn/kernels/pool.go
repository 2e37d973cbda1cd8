package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// forChunks runs fn(0), …, fn(n−1) on up to GOMAXPROCS goroutines, the
// calling one included, each taking the next chunk from a shared counter
// until none is left. Which goroutine runs a chunk varies, but every chunk
// computes its own outputs in a fixed order, so results do not.
//
// The helpers are long-lived goroutines that spin for a short while after
// each job before they park. On the target (a 2-vCPU virtual machine) a
// goroutine woken on an idle vCPU starts 0.1–0.4 ms late, longer than many
// kernel calls; spinning keeps the second core in step across the sequence
// of calls of an inference. If another job is in flight (concurrent
// callers) the call runs on the calling goroutine alone.
func forChunks(n int, fn func(i int)) {
	nw := min(n, runtime.GOMAXPROCS(0))
	if nw <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	j := &job{n: int64(n), fn: fn, helpers: int64(nw - 1)}
	if !pool.current.CompareAndSwap(nil, j) {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	pool.start(nw - 1)
	j.work()
	// Wait for chunks still running on helpers.
	for spins := 0; j.done.Load() < j.n; spins++ {
		if spins > 64 {
			runtime.Gosched()
		}
	}
	pool.current.Store(nil)
}

// job is one forChunks call.
type job struct {
	n       int64
	fn      func(i int)
	next    atomic.Int64 // next chunk to hand out
	done    atomic.Int64 // chunks finished
	helpers int64        // helpers allowed to join
	joined  atomic.Int64
}

func (j *job) work() {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.fn(int(i))
		j.done.Add(1)
	}
}

// helperSpin is how long an idle helper keeps looking for work before it
// parks.
const helperSpin = 2 * time.Millisecond

// helperPool holds the helper goroutines of forChunks.
type helperPool struct {
	current atomic.Pointer[job]
	mu      sync.Mutex
	started int
	parked  atomic.Int64
	wake    chan struct{}
}

var pool = helperPool{wake: make(chan struct{}, 64)}

// start makes sure at least n helpers exist and wakes the parked ones.
func (p *helperPool) start(n int) {
	if p.started < n { // racy read; confirmed under the lock
		p.mu.Lock()
		for p.started < n {
			p.started++
			go p.helper()
		}
		p.mu.Unlock()
	}
	for k := p.parked.Load(); k > 0; k-- {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// helper joins published jobs, spinning for helperSpin between them and
// then parking until start wakes it.
func (p *helperPool) helper() {
	var last *job
	for {
		idle := time.Now()
		for spins := 0; ; spins++ {
			if j := p.current.Load(); j != nil && j != last && j.next.Load() < j.n {
				last = j
				if j.joined.Add(1) <= j.helpers {
					j.work()
				}
				idle = time.Now()
				continue
			}
			if spins%256 == 255 {
				if time.Since(idle) > helperSpin {
					break
				}
				runtime.Gosched()
			}
		}
		p.parked.Add(1)
		<-p.wake
		p.parked.Add(-1)
	}
}
