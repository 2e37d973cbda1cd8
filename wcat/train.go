package wcat

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"cosim/dnn"
	"cosim/internal/seed"
)

// Recipe is a training recipe: optimiser, schedule, data split and
// augmentation (docs/wcat-semantics.md §5).
type Recipe struct {
	Epochs      int     `json:"epochs"`
	BatchSize   int     `json:"batch_size"`
	LR          float64 `json:"lr"`
	Momentum    float64 `json:"momentum"`
	Nesterov    bool    `json:"nesterov"`
	WeightDecay float64 `json:"weight_decay"` // for every parameter but α
	AlphaDecay  float64 `json:"alpha_decay"`  // λ, the weight decay of WCAT's α (§3.3)
	// ValidFraction of the training set is held out (a seeded shuffle) to
	// pick the best epoch; 0 keeps the last epoch.
	ValidFraction float64 `json:"valid_fraction"`
	// Augment enables random horizontal flip and random crop with 4 pixels
	// of zero padding (the CIFAR recipe).
	Augment bool `json:"augment"`
	// Init is the α initialisation of WCAT (InitBER is its BER for noisy-mse).
	Init    Init    `json:"init"`
	InitBER float64 `json:"init_ber"`
	Seed    uint64  `json:"seed"`
	// ConstantLR keeps the learning rate at LR instead of the cosine
	// schedule (the fine-tuning of Guan et al.: constant lr 1e-4).
	ConstantLR bool `json:"constant_lr,omitempty"`
}

// CIFARRecipe is the reference CIFAR-10 recipe (§5): SGD, Nesterov 0.9,
// lr 0.1 with a cosine schedule, weight decay 5e−4, α decay 0.01, batch 256,
// 45k/5k split, crop + flip, MSE α initialisation, seed 1337, 300 epochs.
func CIFARRecipe() Recipe {
	return Recipe{Epochs: 300, BatchSize: 256, LR: 0.1, Momentum: 0.9, Nesterov: true,
		WeightDecay: 5e-4, AlphaDecay: 0.01, ValidFraction: 0.1, Augment: true,
		Init: InitMSE, Seed: 1337}
}

// MNISTRecipe is the recipe cosim uses for the appendix-A MLP: the CIFAR
// optimiser and α decay, batch 128, no augmentation, 10% validation.
func MNISTRecipe() Recipe {
	r := CIFARRecipe()
	r.Epochs, r.BatchSize, r.Augment = 10, 128, false
	return r
}

// Validate checks the recipe.
func (r Recipe) Validate() error {
	switch {
	case r.Epochs < 1:
		return fmt.Errorf("epochs = %d: want ≥ 1", r.Epochs)
	case r.BatchSize < 1:
		return fmt.Errorf("batch size = %d: want ≥ 1", r.BatchSize)
	case !(r.LR > 0) || math.IsInf(r.LR, 0):
		return fmt.Errorf("learning rate %g: want a finite value > 0", r.LR)
	case !(r.Momentum >= 0 && r.Momentum < 1):
		return fmt.Errorf("momentum %g: want [0, 1)", r.Momentum)
	case !(r.WeightDecay >= 0 && r.AlphaDecay >= 0) || math.IsInf(r.WeightDecay, 0) || math.IsInf(r.AlphaDecay, 0):
		return fmt.Errorf("weight decay %g / α decay %g: want finite values ≥ 0", r.WeightDecay, r.AlphaDecay)
	case !(r.ValidFraction >= 0 && r.ValidFraction < 1):
		return fmt.Errorf("validation fraction %g: want [0, 1)", r.ValidFraction)
	case !(r.InitBER >= 0 && r.InitBER <= 0.5):
		return fmt.Errorf("initialisation BER %g: want [0, 0.5]", r.InitBER)
	}
	_, err := ParseInit(string(r.Init))
	return err
}

// LRAt is the cosine-annealed learning rate of epoch e (0-based), stepped
// once per epoch with T_max = Epochs and η_min = 0, as PyTorch's
// CosineAnnealingLR.
// With ConstantLR it is LR.
func (r Recipe) LRAt(e int) float64 {
	if r.ConstantLR {
		return r.LR
	}
	return r.LR * (1 + math.Cos(math.Pi*float64(e)/float64(r.Epochs))) / 2
}

// EpochStats reports one finished epoch.
type EpochStats struct {
	Epoch     int // 1-based
	Epochs    int
	LR        float64
	TrainLoss float64
	TrainAcc  float64 // percent, on the (noisy, augmented) training batches
	ValidAcc  float64 // percent; NaN without a validation split
	Best      bool    // this epoch is the best so far
	Seconds   float64
}

// BatchStats reports progress within an epoch.
type BatchStats struct {
	Epoch, Batch, Batches int
	Loss, Acc             float64
}

// Hooks receive progress; any may be nil.
type Hooks struct {
	Batch func(BatchStats)
	Epoch func(EpochStats)
}

// Split returns the training and validation index sets of a data set of n
// images for a recipe: a seeded shuffle, the last ValidFraction held out.
func (r Recipe) Split(n int) (train, valid []int) {
	perm := seed.Stream(r.Seed, seed.String("split")).Perm(n)
	nv := int(math.Round(r.ValidFraction * float64(n)))
	return perm[:n-nv], perm[n-nv:]
}

// Options are the optional parts of a training run.
type Options struct {
	Hooks Hooks
	// StatePath, if set, is where the resumable training state is written
	// (atomically) after every epoch. If the file already exists, training
	// resumes from it: the model, optimizer, best-so-far weights and epoch
	// statistics are restored and the run continues with the next epoch. A
	// state written for another recipe, configuration or data set is an
	// error.
	StatePath string
	// StopAcc, if positive, ends training at the first epoch whose
	// validation accuracy (percent) reaches it — before the first epoch
	// when the starting model already does, which Train then returns as
	// the single statistics entry of epoch 0.
	StopAcc float64
}

// Train trains m on data with the recipe. It initialises the quantizer
// ranges (unless resuming), runs the epochs and leaves m holding the
// best-validation weights (or the last epoch's without a validation split).
// Every random draw (split, shuffles, augmentation, bit-flip noise) derives
// from Recipe.Seed and the epoch and batch it belongs to, so a run resumed
// from an end-of-epoch state gives exactly the result of an uninterrupted
// one. It returns the statistics of every epoch (resumed ones included).
func Train(ctx context.Context, m *Model, data *dnn.Dataset, r Recipe, opts Options) ([]EpochStats, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	c, h, w := m.Net.InputShape()
	if c != data.C || h != data.H || w != data.W {
		return nil, fmt.Errorf("model %s takes %dx%dx%d images, data set %s has %dx%dx%d", m.Net.Arch(), c, h, w, data.Name, data.C, data.H, data.W)
	}
	trainIdx, validIdx := r.Split(data.Len())
	if len(trainIdx) < r.BatchSize {
		return nil, fmt.Errorf("%d training images for batch size %d", len(trainIdx), r.BatchSize)
	}
	valid := data.Subset(data.Name+"-valid", validIdx)
	st := &State{Opt: SGD{Momentum: r.Momentum, Nesterov: r.Nesterov}, BestAcc: math.Inf(-1)}
	resumed := false
	if opts.StatePath != "" {
		var err error
		if resumed, err = st.load(opts.StatePath, m, r, data); err != nil {
			return nil, err
		}
	}
	if !resumed {
		if err := m.InitRanges(r.Init, r.InitBER); err != nil {
			return nil, err
		}
	}
	params := m.Params()
	decay := func(p *dnn.Param) float64 {
		if p.Kind == dnn.KindQuant && m.Cfg.Method == WCAT {
			return r.AlphaDecay
		}
		return r.WeightDecay
	}
	if opts.StopAcc > 0 && len(st.Stats) == 0 && valid.Len() > 0 {
		t0 := time.Now()
		m.Quantize(nil)
		acc := 100 * float64(dnn.Evaluate(m.Net, valid, 1000)) / float64(valid.Len())
		if acc >= opts.StopAcc {
			es := EpochStats{Epoch: 0, Epochs: r.Epochs, TrainLoss: math.NaN(), TrainAcc: math.NaN(), ValidAcc: acc, Best: true, Seconds: time.Since(t0).Seconds()}
			if opts.Hooks.Epoch != nil {
				opts.Hooks.Epoch(es)
			}
			return []EpochStats{es}, nil
		}
	}
	var (
		x       []float32
		labels  []uint8
		dlogits []float32
	)
	classes := m.Net.Classes()
	batches := len(trainIdx) / r.BatchSize // drop_last, as the reference loader
	for e := len(st.Stats); e < r.Epochs; e++ {
		if opts.StopAcc > 0 && e > 0 && st.Stats[e-1].ValidAcc >= opts.StopAcc {
			break
		}
		t0 := time.Now()
		lr := r.LRAt(e)
		order := seed.Stream(r.Seed, seed.String("shuffle"), uint64(e)).Perm(len(trainIdx))
		var lossSum float64
		correct := 0
		for b := 0; b < batches; b++ {
			if err := ctx.Err(); err != nil {
				return st.Stats, err
			}
			idx := make([]int, r.BatchSize)
			for i := range idx {
				idx[i] = trainIdx[order[b*r.BatchSize+i]]
			}
			var aug *rand.Rand
			if r.Augment {
				aug = seed.Stream(r.Seed, seed.String("augment"), uint64(e), uint64(b))
			}
			x, labels = data.Batch(idx, x, labels, aug)
			m.Quantize(seed.Stream(r.Seed, seed.String("bfn"), uint64(e), uint64(b)))
			logits := m.Net.Forward(x, len(idx), true)
			if cap(dlogits) < len(logits) {
				dlogits = make([]float32, len(logits))
			}
			dlogits = dlogits[:len(logits)]
			loss := dnn.SoftmaxCrossEntropy(logits, labels, classes, dlogits)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return st.Stats, fmt.Errorf("epoch %d batch %d: loss is %v (training diverged)", e+1, b+1, loss)
			}
			k := dnn.Correct(logits, labels, classes)
			lossSum += loss
			correct += k
			for _, p := range params {
				p.ZeroGrad()
			}
			m.Net.Backward(dlogits)
			m.Backward()
			st.Opt.Step(params, lr, decay)
			if opts.Hooks.Batch != nil {
				opts.Hooks.Batch(BatchStats{Epoch: e + 1, Batch: b + 1, Batches: batches, Loss: loss, Acc: 100 * float64(k) / float64(len(idx))})
			}
		}
		es := EpochStats{Epoch: e + 1, Epochs: r.Epochs, LR: lr, TrainLoss: lossSum / float64(batches),
			TrainAcc: 100 * float64(correct) / float64(batches*r.BatchSize), ValidAcc: math.NaN()}
		if valid.Len() > 0 {
			m.Quantize(nil)
			es.ValidAcc = 100 * float64(dnn.Evaluate(m.Net, valid, 1000)) / float64(valid.Len())
			if es.ValidAcc > st.BestAcc {
				st.BestAcc, es.Best = es.ValidAcc, true
				st.Best = snapshot(m.State(), st.Best)
			}
		}
		es.Seconds = time.Since(t0).Seconds()
		st.Stats = append(st.Stats, es)
		if opts.StatePath != "" {
			if err := st.save(opts.StatePath, m, r, data); err != nil {
				return st.Stats, fmt.Errorf("saving training state: %w", err)
			}
		}
		if opts.Hooks.Epoch != nil {
			opts.Hooks.Epoch(es)
		}
	}
	if st.Best != nil {
		restore(m.State(), st.Best)
	}
	m.Quantize(nil)
	return st.Stats, nil
}

func snapshot(ps []*dnn.Param, dst [][]float32) [][]float32 {
	if dst == nil {
		dst = make([][]float32, len(ps))
	}
	for i, p := range ps {
		dst[i] = append(dst[i][:0], p.Data()...)
	}
	return dst
}

func restore(ps []*dnn.Param, src [][]float32) {
	for i, p := range ps {
		copy(p.Data(), src[i])
	}
}
