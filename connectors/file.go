package connectors

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// File is a file:DIR connection: a directory of JSON Lines files.
type File struct{ Dir string }

// Line is one document of a JSON Lines file, or the reason it isn't one.
type Line struct {
	// Number is the 1-based line number.
	Number int
	Doc    bson.D
	// Err says why the line is not an Extended JSON document.
	Err error
	// Raw is the line as read: what a stream hands the runtime, and what
	// goes to the DLQ unchanged when the line is not a document.
	Raw string
}

// StreamPath is the file behind stream conn.NAME.
func (f File) StreamPath(name string) string { return filepath.Join(f.Dir, name+".jsonl") }

// CollectionPath is the file behind collection conn.DB.COLL.
func (f File) CollectionPath(db, coll string) string {
	return filepath.Join(f.Dir, db, coll+".jsonl")
}

// ReadStream reads the messages of stream NAME, in order.
func (f File) ReadStream(name string) ([]Line, error) {
	return readLines(f.StreamPath(name), name+".jsonl")
}

// ReadCollection reads the documents of collection DB.COLL, in order. A
// collection that has no file is empty, as a MongoDB collection that was
// never written is.
func (f File) ReadCollection(db, coll string) ([]Line, error) {
	lines, err := readLines(f.CollectionPath(db, coll), db+"/"+coll+".jsonl")
	if os.IsNotExist(err) {
		return nil, nil
	}
	return lines, err
}

// readLines reads one Extended JSON document per line; blank lines are
// skipped, and a line that isn't a document is returned with its error
// rather than stopping the read. A line's error names the file by rel, its
// path inside the connection's directory, so a DLQ reason reads the same
// wherever the directory is.
func readLines(path, rel string) ([]Line, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lines []Line
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024) // ASP's document limit is 16 MB
	for n := 1; sc.Scan(); n++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var doc bson.D
		if err := bson.UnmarshalExtJSON(raw, false, &doc); err != nil {
			lines = append(lines, Line{Number: n, Err: fmt.Errorf("%s:%d: not an Extended JSON document: %v", rel, n, err), Raw: string(raw)})
			continue
		}
		lines = append(lines, Line{Number: n, Doc: doc})
	}
	if err := sc.Err(); err != nil {
		return lines, fmt.Errorf("%s: %w", path, err)
	}
	return lines, nil
}
