package mongodb

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/weir-stream/weir/connectors"
)

// maxInBytes bounds the values of one $in, well under the server's 16 MB
// command limit; a batch whose distinct values exceed it takes more than
// one find.
const maxInBytes = 8 << 20

// Lookup is the $lookup side of a collection: one find with $in per batch
// of documents, not one per document.
type Lookup struct {
	coll  *mongo.Collection
	label string // the connection, for errors
	// attempts and backoff bound the retries of a find that fails with a
	// retryable error (readAttempts, readBackoff).
	attempts int
	backoff  time.Duration
}

var _ connectors.Lookup = (*Lookup)(nil)

// NewLookup returns a lookup into db.coll. The client stays the caller's:
// Close does not disconnect it.
func NewLookup(c *Client, db, coll string) *Lookup {
	return &Lookup{coll: c.mongo.Database(db).Collection(coll), label: c.cfg.label(), attempts: readAttempts, backoff: readBackoff}
}

// Find returns the documents whose field equals any of values, with one
// find {field: {$in: values}} (more only when the values exceed 8 MB).
// A find that fails with a retryable error is tried again, with backoff,
// a bounded number of times.
//
// Values are deduplicated under MongoDB's equality (1, 1.0 and int64(1)
// are one value). An array value stands for its elements, as a $lookup
// localField holding an array matches foreign documents equal to any
// element. A nil value is null and, as in $lookup, matches documents
// whose field is null or missing: the engine passes nil for a local
// document that lacks localField. The caller matches the returned
// documents back to its rows; each document is returned once.
func (l *Lookup) Find(ctx context.Context, field string, values []any) ([]bson.D, error) {
	return l.find(ctx, field, values, nil)
}

// FindPipeline is Find followed by a pipeline: it runs one aggregate
// [{$match: {field: {$in: values}}}, pipeline...] per batch. It serves
// $lookup's let/pipeline form once the engine has turned the pipeline's
// correlated $match ({$expr: {$eq: ["$field", "$$var"]}}) into field and
// the batch's values of var; what remains of the pipeline must not
// reference let variables, since one aggregate serves the whole batch.
// The $match uses a query $in rather than $expr because FerretDB v1
// implements neither $expr's $eq nor $in.
func (l *Lookup) FindPipeline(ctx context.Context, field string, values []any, pipeline bson.A) ([]bson.D, error) {
	if pipeline == nil {
		pipeline = bson.A{}
	}
	return l.find(ctx, field, values, pipeline)
}

// Aggregate runs pipeline on the collection and returns what it outputs:
// the engine's let+pipeline $lookup without an equality part, run once per
// distinct set of let values of a batch with the values written into the
// pipeline (the server runs all of it, a nested $lookup included). A
// retryable failure is tried again as Find's are.
func (l *Lookup) Aggregate(ctx context.Context, pipeline bson.A) ([]bson.D, error) {
	if pipeline == nil {
		pipeline = bson.A{}
	}
	var docs []bson.D
	err := withReadRetries(ctx, l.attempts, l.backoff, func() error {
		cur, err := l.coll.Aggregate(ctx, pipeline)
		if err != nil {
			return err
		}
		docs = nil
		return cur.All(ctx, &docs)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: lookup pipeline on %s: %w", l.label, l.ns(), err)
	}
	return docs, nil
}

func (l *Lookup) find(ctx context.Context, field string, values []any, pipeline bson.A) ([]bson.D, error) {
	var out []bson.D
	for _, in := range inChunks(values) {
		filter := bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: in}}}}
		var docs []bson.D
		err := withReadRetries(ctx, l.attempts, l.backoff, func() error {
			var cur *mongo.Cursor
			var err error
			if pipeline == nil {
				cur, err = l.coll.Find(ctx, filter)
			} else {
				stages := append(bson.A{bson.D{{Key: "$match", Value: filter}}}, pipeline...)
				cur, err = l.coll.Aggregate(ctx, stages)
			}
			if err != nil {
				return err
			}
			docs = nil
			return cur.All(ctx, &docs)
		})
		if err != nil {
			return nil, fmt.Errorf("%s: lookup in %s: %w", l.label, l.ns(), err)
		}
		out = append(out, docs...)
	}
	return out, nil
}

func (l *Lookup) ns() string { return l.coll.Database().Name() + "." + l.coll.Name() }

// Close releases nothing: the client is shared and closed by its owner.
func (l *Lookup) Close() error { return nil }

// inChunks flattens arrays, drops duplicates and splits the values into
// $in arrays of at most maxInBytes. No values is no chunk: no query.
func inChunks(values []any) []bson.A {
	seen := make(map[string]bool, len(values))
	var chunks []bson.A
	var cur bson.A
	var size int
	add := func(v any) {
		k := valueKey(v)
		if seen[k] {
			return
		}
		seen[k] = true
		_, b, _ := bson.MarshalValue(v)
		if size+len(b) > maxInBytes && len(cur) > 0 {
			chunks = append(chunks, cur)
			cur, size = nil, 0
		}
		cur = append(cur, v)
		size += len(b) + 8
	}
	for _, v := range values {
		if a, ok := v.(bson.A); ok {
			for _, e := range a {
				add(e)
			}
			continue
		}
		add(v)
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// CacheOptions are $cachedLookup's: ttl and maxMemUsageBytes.
type CacheOptions struct {
	// TTL is how long a looked-up value's documents are reused. Required.
	TTL time.Duration
	// MaxMemUsageBytes bounds the cache, counting each entry's documents
	// at their BSON size. Required here: ASP's default (10% of RAM) is the
	// engine's to compute.
	MaxMemUsageBytes int64
}

func (o CacheOptions) validate() error {
	if o.TTL <= 0 {
		return fmt.Errorf("$cachedLookup.ttl must be positive, found %s", o.TTL)
	}
	if o.MaxMemUsageBytes <= 0 {
		return fmt.Errorf("$cachedLookup.maxMemUsageBytes must be positive, found %d", o.MaxMemUsageBytes)
	}
	return nil
}

// entryOverhead approximates what an entry costs beyond its documents
// (map slot, list element, key string), so a cache of many empty results
// is bounded too.
const entryOverhead = 96

// CachedLookup is $cachedLookup: a Lookup whose results are kept per
// (field, value) for a TTL within a memory bound. Values not in the cache
// are looked up together, in one Find. Entries leave when their TTL has
// passed, and, when the bound is reached, oldest first: with one TTL for
// every entry, the oldest is also the next to expire, so one list ordered
// by insertion serves both rules (ASP's last resort, random eviction, is
// never needed). An empty result is cached as well: that a customer is
// unknown is worth remembering for a TTL too.
type CachedLookup struct {
	inner connectors.Lookup
	opts  CacheOptions
	now   func() time.Time

	mu      sync.Mutex
	entries map[cacheKey]*list.Element
	order   list.List // of *cacheEntry, oldest first
	bytes   int64
	hits    int64
	misses  int64
}

type cacheKey struct{ field, value string }

type cacheEntry struct {
	key     cacheKey
	docs    []bson.D
	size    int64
	expires time.Time
}

var _ connectors.Lookup = (*CachedLookup)(nil)

// NewCachedLookup puts a cache in front of inner.
func NewCachedLookup(inner connectors.Lookup, o CacheOptions) (*CachedLookup, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &CachedLookup{inner: inner, opts: o, now: time.Now, entries: map[cacheKey]*list.Element{}}, nil
}

// Find answers from the cache where it can and asks inner, once, for the
// rest. Values are flattened and nil-matches-missing as in Lookup.Find;
// the result holds each matching document once.
func (c *CachedLookup) Find(ctx context.Context, field string, values []any) ([]bson.D, error) {
	var out []bson.D
	seen := map[string]bool{} // _id keys already in out
	emit := func(docs []bson.D) {
		for _, d := range docs {
			id, ok := lookupPath(d, "_id")
			if ok {
				k := valueKey(id)
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			out = append(out, d)
		}
	}
	var missing []any
	missingKeys := map[string]bool{}
	c.mu.Lock()
	now := c.now()
	c.expire(now)
	for _, chunk := range inChunks(values) {
		for _, v := range chunk {
			k := cacheKey{field, valueKey(v)}
			if el, ok := c.entries[k]; ok {
				c.hits++
				emit(el.Value.(*cacheEntry).docs)
				continue
			}
			c.misses++
			missing = append(missing, v)
			missingKeys[k.value] = true
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	docs, err := c.inner.Find(ctx, field, missing)
	if err != nil {
		return nil, err
	}
	emit(docs)
	// Split the answer by the value each document matched, under the same
	// equality the server used: the field's value, each element of an
	// array, null for a missing field.
	byValue := make(map[string][]bson.D, len(missing))
	for _, d := range docs {
		v, ok := lookupPath(d, field)
		if !ok {
			v = nil
		}
		keys := []string{valueKey(v)}
		if a, isArr := v.(bson.A); isArr {
			for _, e := range a {
				keys = append(keys, valueKey(e))
			}
		}
		for _, k := range keys {
			if missingKeys[k] {
				byValue[k] = append(byValue[k], d)
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now = c.now()
	for k := range missingKeys {
		c.put(cacheKey{field, k}, byValue[k], now)
	}
	return out, nil
}

// put caches docs under k, evicting oldest entries to stay in the bound.
// An entry larger than the whole bound is not cached.
func (c *CachedLookup) put(k cacheKey, docs []bson.D, now time.Time) {
	size := int64(entryOverhead + len(k.field) + len(k.value))
	for _, d := range docs {
		size += docSize(d)
	}
	if size > c.opts.MaxMemUsageBytes {
		return
	}
	if el, ok := c.entries[k]; ok { // a concurrent Find filled it first
		c.remove(el)
	}
	for c.bytes+size > c.opts.MaxMemUsageBytes {
		c.remove(c.order.Front())
	}
	e := &cacheEntry{key: k, docs: docs, size: size, expires: now.Add(c.opts.TTL)}
	c.entries[k] = c.order.PushBack(e)
	c.bytes += size
}

// expire drops entries whose TTL has passed: they sit at the front.
func (c *CachedLookup) expire(now time.Time) {
	for el := c.order.Front(); el != nil && !now.Before(el.Value.(*cacheEntry).expires); el = c.order.Front() {
		c.remove(el)
	}
}

func (c *CachedLookup) remove(el *list.Element) {
	e := c.order.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// CacheStats are a CachedLookup's counters, for metrics and tests.
type CacheStats struct {
	Entries      int
	Bytes        int64
	Hits, Misses int64
}

// Stats returns the cache's current counters.
func (c *CachedLookup) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.entries), Bytes: c.bytes, Hits: c.hits, Misses: c.misses}
}

// Close closes the inner lookup.
func (c *CachedLookup) Close() error { return c.inner.Close() }
