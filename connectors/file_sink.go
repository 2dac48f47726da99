package connectors

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The file:DIR connection's sinks. Each buffers in Write and touches the
// files only in Flush, so what a Flush leaves on disk is a whole batch,
// which is the runtime's unit of commit:
//
//   - FileEmit ($emit) appends to DIR/TOPIC.jsonl;
//   - FileMerge ($merge) upserts into DIR/DB/COLL.jsonl by on, rewriting
//     the file atomically (temporary file and rename);
//   - FileAppend (a DLQ) appends to DIR/DB/COLL.jsonl.
//
// Written reports what each file received, for `weir run`'s summary.

// FileWrite is what a file sink did to one file.
type FileWrite struct {
	// Rel is the file's path inside the connection's directory, with
	// forward slashes (TOPIC.jsonl, DB/COLL.jsonl); Path is the full one.
	Rel, Path string
	// Docs is the number of documents appended ($emit, a DLQ), or the
	// collection's size after the last Flush ($merge).
	Docs int
}

// fileTargets keeps, per target, what waits for Flush and what was
// written, in the order targets were first seen.
type fileTargets struct {
	order   []string
	pending map[string][]bson.D
	written map[string]int
}

func (t *fileTargets) add(target string, docs ...bson.D) {
	if t.pending == nil {
		t.pending, t.written = map[string][]bson.D{}, map[string]int{}
	}
	if _, ok := t.pending[target]; !ok {
		if _, seen := t.written[target]; !seen {
			t.order = append(t.order, target)
			t.written[target] = 0
		}
		t.pending[target] = nil
	}
	t.pending[target] = append(t.pending[target], docs...)
}

// FileEmit is $emit into a file:DIR connection: each topic is a file.
type FileEmit struct {
	file File
	// topic is where documents without a Target go.
	topic string

	mu      sync.Mutex
	targets fileTargets
}

var _ Sink = (*FileEmit)(nil)

// NewEmit returns an $emit sink into topic (or each document's Target).
// A fixed topic's file is created at the first Flush even when nothing
// reached it, as an $emit target that exists but got no record.
func (f File) NewEmit(topic string) *FileEmit {
	e := &FileEmit{file: f, topic: topic}
	if topic != "" {
		e.targets.add(topic)
	}
	return e
}

func (e *FileEmit) Write(_ context.Context, docs []Doc) ([]Rejected, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var rejected []Rejected
	for _, d := range docs {
		t := cmpOr(d.Target, e.topic)
		if t == "" || strings.ContainsAny(t, `/\`) || t == "." || t == ".." {
			rejected = append(rejected, Rejected{Doc: d, Reason: fmt.Sprintf("%q is not a topic a file connection can hold", t)})
			continue
		}
		e.targets.add(t, d.Doc)
	}
	return rejected, nil
}

func (e *FileEmit) Flush(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.targets.order {
		docs, ok := e.targets.pending[t]
		if !ok {
			continue
		}
		if err := e.file.AppendStream(t, docs); err != nil {
			return err
		}
		delete(e.targets.pending, t)
		e.targets.written[t] += len(docs)
	}
	return nil
}

func (e *FileEmit) Close() error { return nil }

// Written lists the files written so far.
func (e *FileEmit) Written() []FileWrite {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []FileWrite
	for _, t := range e.targets.order {
		out = append(out, FileWrite{Rel: t + ".jsonl", Path: e.file.StreamPath(t), Docs: e.targets.written[t]})
	}
	return out
}

// FileAppend appends documents to collections' files: a DLQ.
type FileAppend struct {
	file File
	db   string
	coll string

	mu      sync.Mutex
	targets fileTargets
}

var _ Sink = (*FileAppend)(nil)

// NewAppend returns a sink appending to DB.COLL (or each document's
// "db.coll" Target).
func (f File) NewAppend(db, coll string) *FileAppend {
	return &FileAppend{file: f, db: db, coll: coll}
}

func (a *FileAppend) Write(_ context.Context, docs []Doc) ([]Rejected, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var rejected []Rejected
	for _, d := range docs {
		db, coll, err := splitTarget(d.Target, a.db, a.coll)
		if err != nil {
			rejected = append(rejected, Rejected{Doc: d, Reason: err.Error()})
			continue
		}
		a.targets.add(db+"."+coll, d.Doc)
	}
	return rejected, nil
}

func (a *FileAppend) Flush(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.targets.order {
		docs, ok := a.targets.pending[t]
		if !ok {
			continue
		}
		db, coll, _ := strings.Cut(t, ".")
		if err := a.file.AppendCollection(db, coll, docs); err != nil {
			return err
		}
		delete(a.targets.pending, t)
		a.targets.written[t] += len(docs)
	}
	return nil
}

func (a *FileAppend) Close() error { return nil }

// Written lists the files written so far.
func (a *FileAppend) Written() []FileWrite {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []FileWrite
	for _, t := range a.targets.order {
		db, coll, _ := strings.Cut(t, ".")
		out = append(out, FileWrite{Rel: db + "/" + coll + ".jsonl", Path: a.file.CollectionPath(db, coll), Docs: a.targets.written[t]})
	}
	return out
}

// MergeOptions are a file $merge's: the stage's static parts.
type MergeOptions struct {
	// DB and Coll are the target of a document without a Target.
	DB, Coll string
	// On are the fields identifying a document; nil is _id.
	On []string
	// WhenMatched is merge (the default), replace, keepExisting, delete,
	// fail or pipeline (then Update is required); WhenNotMatched is insert
	// (the default), discard or fail.
	WhenMatched, WhenNotMatched string
	// Label names the connection in rejection reasons ("conn.db.coll").
	Label string
	MergeFuncs
}

// MergeFuncs are the parts of a $merge the engine evaluates, so that
// sinks stay free of the evaluator (exec.MergeFuncs builds them).
type MergeFuncs struct {
	// Update computes the document that replaces existing for a
	// whenMatched pipeline ($$new is incoming). A result without _id
	// keeps existing's; an error rejects the document.
	Update func(existing, incoming bson.D) (bson.D, error)
	// Actions chooses the actions per document for the expression forms
	// of whenMatched / whenNotMatched. An empty result keeps the static
	// action; an error rejects the document.
	Actions func(doc bson.D) (whenMatched, whenNotMatched string, err error)
}

// FileMerge is $merge into a file:DIR connection. A collection is loaded
// from its file when first written, upserted into in memory, and its file
// replaced at each Flush that changed it: the file always holds a whole
// state, the old or the new.
type FileMerge struct {
	file File
	opts MergeOptions

	mu    sync.Mutex
	order []string
	colls map[string][]bson.D
	dirty map[string]bool
	// Generated are the _ids given to documents that had none.
	generated map[bson.ObjectID]bool
}

var _ Sink = (*FileMerge)(nil)

var (
	fileWhenMatched    = []string{"", "merge", "replace", "keepExisting", "delete", "fail", "pipeline"}
	fileWhenNotMatched = []string{"", "insert", "discard", "fail"}
)

// NewMerge returns a $merge sink. A fixed target is loaded now, so an
// unreadable collection file fails at start rather than mid-run, and its
// file is written at the first Flush even if nothing reached it.
func (f File) NewMerge(o MergeOptions) (*FileMerge, error) {
	if !slices.Contains(fileWhenMatched, o.WhenMatched) {
		return nil, fmt.Errorf("whenMatched %q is not run over file connections (use merge, replace, keepExisting, delete, fail or pipeline)", o.WhenMatched)
	}
	if o.WhenMatched == "pipeline" && o.Update == nil {
		return nil, fmt.Errorf("whenMatched: a pipeline needs the engine's Update function")
	}
	if !slices.Contains(fileWhenNotMatched, o.WhenNotMatched) {
		return nil, fmt.Errorf("whenNotMatched %q is not run over file connections (use insert, discard or fail)", o.WhenNotMatched)
	}
	if len(o.On) == 0 {
		o.On = []string{"_id"}
	}
	m := &FileMerge{file: f, opts: o, colls: map[string][]bson.D{}, dirty: map[string]bool{}, generated: map[bson.ObjectID]bool{}}
	if o.DB != "" && o.Coll != "" {
		if _, err := m.load(o.DB + "." + o.Coll); err != nil {
			return nil, err
		}
		m.dirty[o.DB+"."+o.Coll] = true
	}
	return m, nil
}

// load returns the collection's documents, reading its file the first
// time. A line that is not a document stops the sink: rewriting the file
// would lose it.
func (m *FileMerge) load(target string) ([]bson.D, error) {
	if docs, ok := m.colls[target]; ok {
		return docs, nil
	}
	db, coll, _ := strings.Cut(target, ".")
	lines, err := m.file.ReadCollection(db, coll)
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", target, err)
	}
	docs := []bson.D{}
	for _, l := range lines {
		if l.Err != nil {
			return nil, fmt.Errorf("collection %s: %w", target, l.Err)
		}
		docs = append(docs, l.Doc)
	}
	m.order = append(m.order, target)
	m.colls[target] = docs
	return docs, nil
}

func (m *FileMerge) Write(_ context.Context, docs []Doc) ([]Rejected, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var rejected []Rejected
	for _, d := range docs {
		db, coll, err := splitTarget(d.Target, m.opts.DB, m.opts.Coll)
		if err != nil {
			rejected = append(rejected, Rejected{Doc: d, Reason: err.Error()})
			continue
		}
		target := db + "." + coll
		if _, err := m.load(target); err != nil {
			// The target's file is unreadable: the sink fails, not the
			// document.
			return rejected, err
		}
		if err := m.upsert(target, d.Doc); err != nil {
			rejected = append(rejected, Rejected{Doc: d, Reason: err.Error()})
			continue
		}
		m.dirty[target] = true
	}
	return rejected, nil
}

// upsert applies one document, as exec's reference runner does.
func (m *FileMerge) upsert(target string, doc bson.D) error {
	if _, ok := field(doc, "_id"); !ok {
		id := bson.NewObjectID()
		m.generated[id] = true
		doc = append(bson.D{{Key: "_id", Value: id}}, doc...)
	}
	key := target
	if m.opts.Label != "" {
		key = m.opts.Label + "." + target
	}
	whenMatched, whenNotMatched := m.opts.WhenMatched, m.opts.WhenNotMatched
	if m.opts.Actions != nil {
		wm, wn, err := m.opts.Actions(doc)
		if err != nil {
			return err
		}
		if wm != "" {
			if wm == "pipeline" || !slices.Contains(fileWhenMatched, wm) {
				return fmt.Errorf("whenMatched evaluated to %q; use merge, replace, keepExisting, delete or fail", wm)
			}
			whenMatched = wm
		}
		if wn != "" {
			if !slices.Contains(fileWhenNotMatched, wn) {
				return fmt.Errorf("whenNotMatched evaluated to %q; use insert, discard or fail", wn)
			}
			whenNotMatched = wn
		}
	}
	coll := m.colls[target]
	match := -1
	for j, existing := range coll {
		same := true
		for _, f := range m.opts.On {
			a, aok := pathValue(doc, f)
			b, bok := pathValue(existing, f)
			if !aok || !bok || valueKey(a) != valueKey(b) {
				same = false
				break
			}
		}
		if same {
			match = j
			break
		}
	}
	if match < 0 {
		switch whenNotMatched {
		case "", "insert":
			m.colls[target] = append(coll, doc)
		case "discard":
		case "fail":
			return fmt.Errorf("no document in %s matches on %v (whenNotMatched: fail)", key, m.opts.On)
		}
		return nil
	}
	switch whenMatched {
	case "pipeline":
		updated, err := m.opts.Update(coll[match], doc)
		if err != nil {
			return err
		}
		if id, ok := field(coll[match], "_id"); ok {
			if _, has := field(updated, "_id"); !has {
				updated = append(bson.D{{Key: "_id", Value: id}}, updated...)
			}
		}
		coll[match] = updated
	case "", "merge":
		merged := slices.Clone(coll[match])
		_, hasID := field(merged, "_id")
		for _, e := range doc {
			if e.Key == "_id" && hasID {
				// The matched document keeps its _id, as MongoDB's $merge
				// does when on names other fields.
				continue
			}
			merged = setField(merged, e.Key, e.Value)
		}
		coll[match] = merged
	case "replace":
		if id, ok := field(coll[match], "_id"); ok {
			doc = setField(slices.Clone(doc), "_id", id)
		}
		coll[match] = doc
	case "keepExisting":
	case "delete":
		m.colls[target] = append(coll[:match:match], coll[match+1:]...)
	case "fail":
		return fmt.Errorf("a document in %s already matches on %v (whenMatched: fail)", key, m.opts.On)
	}
	return nil
}

func (m *FileMerge) Flush(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.order {
		if !m.dirty[t] {
			continue
		}
		db, coll, _ := strings.Cut(t, ".")
		if err := m.file.WriteCollection(db, coll, m.colls[t]); err != nil {
			return err
		}
		m.dirty[t] = false
	}
	return nil
}

func (m *FileMerge) Close() error { return nil }

// Written lists the collections written and their sizes now.
func (m *FileMerge) Written() []FileWrite {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []FileWrite
	for _, t := range m.order {
		db, coll, _ := strings.Cut(t, ".")
		out = append(out, FileWrite{Rel: db + "/" + coll + ".jsonl", Path: m.file.CollectionPath(db, coll), Docs: len(m.colls[t])})
	}
	return out
}

// Generated are the _ids the sink gave documents that had none.
func (m *FileMerge) Generated() map[bson.ObjectID]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[bson.ObjectID]bool, len(m.generated))
	for id := range m.generated {
		out[id] = true
	}
	return out
}

// splitTarget reads a Doc's "db.coll" Target (a database name holds no
// dot, so the first dot splits), or falls back to the sink's own.
func splitTarget(target, db, coll string) (string, string, error) {
	if target == "" {
		if db == "" || coll == "" {
			return "", "", fmt.Errorf("no target collection")
		}
		return db, coll, nil
	}
	d, c, ok := strings.Cut(target, ".")
	if !ok || d == "" || c == "" || strings.ContainsAny(target, `/\`) {
		return "", "", fmt.Errorf("%q is not a db.coll a file connection can hold", target)
	}
	return d, c, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func field(doc bson.D, key string) (any, bool) {
	for _, e := range doc {
		if e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

// pathValue reads a dotted path through embedded documents.
func pathValue(doc bson.D, path string) (any, bool) {
	head, rest, nested := strings.Cut(path, ".")
	v, ok := field(doc, head)
	if !ok || !nested {
		return v, ok
	}
	d, ok := v.(bson.D)
	if !ok {
		return nil, false
	}
	return pathValue(d, rest)
}

// setField sets a top-level field, keeping its place when it exists.
func setField(doc bson.D, key string, v any) bson.D {
	for i := range doc {
		if doc[i].Key == key {
			doc[i].Value = v
			return doc
		}
	}
	return append(doc, bson.E{Key: key, Value: v})
}
