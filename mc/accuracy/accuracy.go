// Package accuracy holds the one record of a Monte Carlo accuracy estimate: the statistics of
// the per-trial accuracies of a network (percent) and how they were obtained. Package mc
// produces it (mc.Summary embeds it); a sweep's operating point (results.Point), the report
// page and `cosim eval --json` embed it. It is a package of its own so that the packages that
// store, rank and draw results need not depend on the Monte Carlo engine and the network code.
package accuracy

// Stats is the accuracy of a network over the trials of one Monte Carlo estimate, in percent.
// The JSON names are the WCAT reference code's CSV columns (acc_mean, acc_std, acc_min,
// acc_max) and the columns a sweep adds.
type Stats struct {
	// AccMean, AccStd, AccMin and AccMax are the mean, the population standard deviation
	// (ddof 0, as in the WCAT reference code), the minimum and the maximum of the per-trial
	// accuracies.
	AccMean float64 `json:"acc_mean"`
	AccStd  float64 `json:"acc_std"`
	AccMin  float64 `json:"acc_min"`
	AccMax  float64 `json:"acc_max"`
	// CILow and CIHigh bound the 95% confidence interval of the mean.
	CILow  float64 `json:"ci_low"`
	CIHigh float64 `json:"ci_high"`
	// Trials is the number of trials used.
	Trials int `json:"trials"`
	// Protocol names the Monte Carlo protocol that scored the trials (mc.ProtocolReference:
	// every trial on the whole test set, or mc.ProtocolSubset); empty if not recorded.
	Protocol string `json:"protocol,omitempty"`
	// Images is the number of evaluation images scored per trial; 0 if not recorded.
	Images int `json:"images,omitempty"`
}
