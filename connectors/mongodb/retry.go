package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Reads ($lookup's finds, $merge's reads of existing documents) that fail
// with a retryable error are tried again, with waits doubling from
// readBackoff, up to readAttempts times in all. The driver retries a read
// once on its own (to a newly selected primary); these tries are around
// that, for a failover that takes longer.
const (
	readAttempts = 5
	readBackoff  = 100 * time.Millisecond
)

// Writes of dead letters that fail with a retryable error are sent again
// the same way, writeAttempts times in all ($merge has its own
// MaxAttempts and Backoff, with the same defaults).
const (
	writeAttempts = 5
	writeBackoff  = 100 * time.Millisecond
)

// retryableRead says whether a failed read may succeed when sent again:
// a network error or a timeout of the driver's own (not ctx's), or one of
// the server's codes for a primary stepping down or shutting down.
func retryableRead(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		for _, c := range retryableCodes {
			if se.HasErrorCode(c) {
				return true
			}
		}
	}
	return false
}

// withReadRetries runs read until it succeeds, fails with an error no
// retry can help, or has been tried attempts times; the last error says
// how many.
func withReadRetries(ctx context.Context, attempts int, backoff time.Duration, read func() error) error {
	wait := backoff
	for attempt := 1; ; attempt++ {
		err := read()
		if err == nil || !retryableRead(ctx, err) {
			return err
		}
		if attempt >= attempts {
			return fmt.Errorf("giving up after %d attempts: %w", attempt, err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 5*time.Second)
	}
}
