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
