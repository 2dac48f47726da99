package pgwire

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weir-stream/weir/exec"
)

// WriteMetrics writes per-processor counters in Prometheus' text format.
//
// Per processor: documents in, out and to the DLQ; the watermark; the
// event-time lag (now minus the watermark: how far behind real time the
// processor's windows are); and, for Kafka sources, the messages not read
// yet (the partitions' high watermarks minus the offsets read).
func WriteMetrics(w io.Writer, eng Engine, now time.Time) {
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
	metric("weir_processor_event_time_lag_seconds", "gauge", "Now minus the processor's watermark.", func(i int) (float64, bool) {
		if procs[i].Watermark.IsZero() || procs[i].State != exec.StateStarted {
			return 0, false
		}
		return now.Sub(procs[i].Watermark).Seconds(), true
	})
	metric("weir_processor_source_lag_messages", "gauge", "Messages the processor's source has not read yet (Kafka: high watermarks minus offsets read).", func(i int) (float64, bool) {
		return float64(procs[i].Lag), procs[i].LagKnown
	})
}

func promEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
