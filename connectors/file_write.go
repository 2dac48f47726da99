package connectors

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// MarshalLine is one document as a JSON Lines file holds it: relaxed
// Extended JSON, as ASP's sp.process prints and $emit writes by default,
// and a newline.
func MarshalLine(doc bson.D) ([]byte, error) {
	b, err := bson.MarshalExtJSON(doc, false, false)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// AppendStream appends docs to stream NAME's file, creating it (and its
// directory) when needed: what $emit does to a topic.
func (f File) AppendStream(name string, docs []bson.D) error {
	return appendLines(f.StreamPath(name), docs)
}

// AppendCollection appends docs to collection DB.COLL's file: how a DLQ
// collection grows.
func (f File) AppendCollection(db, coll string, docs []bson.D) error {
	return appendLines(f.CollectionPath(db, coll), docs)
}

// WriteCollection replaces collection DB.COLL's file with docs. It writes
// a temporary file beside it and renames it over the old one, so a reader
// (or a crash) sees the old content or the new, never half of it.
func (f File) WriteCollection(db, coll string, docs []bson.D) error {
	path := f.CollectionPath(db, coll)
	data, err := marshalLines(path, docs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func appendLines(path string, docs []bson.D) error {
	data, err := marshalLines(path, docs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	// One write for the whole batch, so lines of concurrent writers don't
	// interleave mid-document.
	_, err = out.Write(data)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("appending to %s: %w", path, err)
	}
	return nil
}

func marshalLines(path string, docs []bson.D) ([]byte, error) {
	var buf bytes.Buffer
	for i, d := range docs {
		line, err := MarshalLine(d)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", path, i+1, err)
		}
		buf.Write(line)
	}
	return buf.Bytes(), nil
}
