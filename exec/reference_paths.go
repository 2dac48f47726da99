package exec

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// getPath reads a dotted path through embedded documents; Missing when a
// part is absent or not a document. (Field paths in expressions also look
// into arrays of documents; Eval does that.)
func getPath(doc bson.D, path string) any {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		d, ok := cur.(bson.D)
		if !ok {
			return Missing
		}
		cur = Missing
		for _, e := range d {
			if e.Key == part {
				cur = e.Value
				break
			}
		}
		if IsMissing(cur) {
			return Missing
		}
	}
	return cur
}

// setPath sets a dotted path, creating (or replacing non-document values
// with) embedded documents on the way. It may modify doc in place.
func setPath(doc bson.D, path string, v any) bson.D {
	head, rest, nested := strings.Cut(path, ".")
	for i, e := range doc {
		if e.Key != head {
			continue
		}
		if !nested {
			doc[i].Value = v
			return doc
		}
		sub, _ := e.Value.(bson.D)
		doc[i].Value = setPath(cloneDoc(sub), rest, v)
		return doc
	}
	if !nested {
		return append(doc, bson.E{Key: head, Value: v})
	}
	return append(doc, bson.E{Key: head, Value: setPath(bson.D{}, rest, v)})
}

// unsetPath removes a dotted path. It may modify doc in place.
func unsetPath(doc bson.D, path string) bson.D {
	head, rest, nested := strings.Cut(path, ".")
	for i, e := range doc {
		if e.Key != head {
			continue
		}
		if !nested {
			return append(doc[:i:i], doc[i+1:]...)
		}
		if sub, ok := e.Value.(bson.D); ok {
			doc[i].Value = unsetPath(cloneDoc(sub), rest)
		}
		return doc
	}
	return doc
}

// cloneDoc copies the top level of a document, so setPath and unsetPath
// don't change a document another row shares.
func cloneDoc(d bson.D) bson.D {
	out := make(bson.D, len(d), len(d)+2)
	copy(out, d)
	return out
}
