package pgwire

import (
	"fmt"
	"io"
	"strings"
)

// WriteMetrics writes per-processor counters in Prometheus' text format.
func WriteMetrics(w io.Writer, eng Engine) {
	procs := eng.Processors()
	metric := func(name, typ, help string, val func(i int) (float64, bool)) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for i, p := range procs {
			if v, ok := val(i); ok {
				fmt.Fprintf(w, "%s{processor=\"%s\",state=\"%s\"} %g\n", name, promEscape(p.Name), p.State, v)
			}
		}
	}
	metric("weir_processor_input_total", "counter", "Documents the processor read.", func(i int) (float64, bool) { return float64(procs[i].In), true })
	metric("weir_processor_output_total", "counter", "Documents the processor wrote to its sink.", func(i int) (float64, bool) { return float64(procs[i].Out), true })
	metric("weir_processor_dlq_total", "counter", "Documents sent to the dead-letter queue.", func(i int) (float64, bool) { return float64(procs[i].DLQ), true })
	metric("weir_processor_watermark_seconds", "gauge", "The processor's watermark, Unix seconds.", func(i int) (float64, bool) {
		if procs[i].Watermark.IsZero() {
			return 0, false
		}
		return float64(procs[i].Watermark.UnixMilli()) / 1000, true
	})
}

func promEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
