package db

import "strings"

// Placeholders is "?, ?, ?" for n values: the inside of an IN list.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// ValuesList is "(?, ?), (?, ?)" for rows rows of cols columns: the VALUES
// of a multi-row INSERT.
func ValuesList(rows, cols int) string {
	row := "(" + Placeholders(cols) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// Chunks splits n rows into parts of sizes from a fixed set (largest, then halves of it down to 1), in order, so that multi-row
// statements over any number of rows take only a few distinct texts: SQLite
// compiles every distinct text, and the statement cache keeps each once.
func Chunks(n, largest int) []int {
	var out []int
	for size := largest; n > 0; {
		if n >= size {
			out = append(out, size)
			n -= size
			continue
		}
		size = max(1, size/2)
	}
	return out
}

// InList is the placeholders and values of an IN list for values, padded
// with repeats of the last value to the next power of two (from 1), so
// that lists of any length take a few distinct statement texts (see
// Chunks). A repeated value in an IN list changes nothing.
func InList(values []any) (string, []any) {
	n := 1
	for n < len(values) {
		n *= 2
	}
	padded := make([]any, n)
	copy(padded, values)
	for i := len(values); i < n && len(values) > 0; i++ {
		padded[i] = values[len(values)-1]
	}
	return Placeholders(n), padded
}
