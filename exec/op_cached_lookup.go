package exec

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/weir-stream/weir/connectors/mongodb"
	"github.com/weir-stream/weir/planner/mql"
)

// newCachedLookup is $cachedLookup: the equality $lookup over the
// collection's plain lookup (a MongoDB find, or a file collection) behind
// a cache of looked-up values' documents, kept for ttl and bounded by
// maxMemUsageBytes (ASP's default: 10% of the machine's memory). A value
// cached with no match is cached too, so a batch asks the target only for
// values it has not seen within ttl.
func newCachedLookup(rt *stRuntime, env BuildEnv, resolve func(string) (string, error), s *mql.CachedLookup, path mql.Path) (*LookupStage, error) {
	conn, err := resolve(s.From.ConnectionName)
	if err != nil {
		return nil, err
	}
	ns := mql.Namespace{ConnectionName: conn, DB: s.From.DB, Coll: s.From.Coll}
	t := env.Lookups[ns]
	if t == nil {
		return nil, fmt.Errorf("connection %s has no lookup for %s.%s", conn, ns.DB, ns.Coll)
	}
	max := s.MaxMemUsageBytes
	if max == 0 {
		max = defaultCacheBytes()
	}
	cached, err := mongodb.NewCachedLookup(t, mongodb.CacheOptions{TTL: durationOf(s.TTL), MaxMemUsageBytes: max})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The operator is $lookup's equality form, whose target is the cache.
	l := &mql.Lookup{From: &s.From, LocalField: s.LocalField, ForeignField: s.ForeignField, As: s.As}
	return &LookupStage{rt: rt, stage: l, path: path, target: cached, x: rt.newRef()}, nil
}

// defaultCacheBytes is ASP's default cache bound, 10% of the machine's
// memory (from /proc/meminfo), or 256 MiB where that can't be read.
func defaultCacheBytes() int64 {
	f, err := os.Open("/proc/meminfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				if err == nil && kb > 0 {
					return kb * 1024 / 10
				}
			}
		}
	}
	return 256 << 20
}
