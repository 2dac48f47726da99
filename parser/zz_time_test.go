package parser

import (
	"os"
	"testing"
	"time"
)

func TestZZTime(t *testing.T) {
	src, _ := os.ReadFile("/tmp/h8/ptime/in.sql")
	start := time.Now()
	_, err := Parse("x.sql", string(src))
	t.Logf("%v %v", time.Since(start), err)
}
