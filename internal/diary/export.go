package diary

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// entryJSON is the export format for case management systems.
type entryJSON struct {
	Number        string    `json:"diary_number"`
	ReceivedAt    time.Time `json:"received_at"`
	RegisteredAt  time.Time `json:"registered_at"`
	Direction     Direction `json:"direction"`
	Sender        string    `json:"sender"`
	Description   string    `json:"description"`
	Department    string    `json:"department"`
	Secret        bool      `json:"secret"`
	SecrecyGround string    `json:"secrecy_ground,omitempty"`
	ObjectType    string    `json:"object_type,omitempty"`
	ObjectID      string    `json:"object_id,omitempty"`
}

// WriteJSON writes entries as a JSON array.
func WriteJSON(w io.Writer, entries []Entry) error {
	out := make([]entryJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, entryJSON{e.Number, e.ReceivedAt, e.RegisteredAt, e.Direction, e.Sender, e.Description, e.DepartmentName,
			e.Secret, e.SecrecyGround, e.ObjectType, e.ObjectID})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteCSV writes entries as CSV with a header row. Cells that a
// spreadsheet would run as a formula are made text.
func WriteCSV(w io.Writer, entries []Entry) error {
	c := csv.NewWriter(w)
	if err := c.Write([]string{"diarienummer", "inkom", "registrerad", "riktning", "avsändare", "beskrivning", "verksamhet", "sekretess", "sekretessgrund", "objekttyp", "objekt"}); err != nil {
		return err
	}
	for _, e := range entries {
		row := []string{e.Number, e.ReceivedAt.Format(time.RFC3339), e.RegisteredAt.Format(time.RFC3339), string(e.Direction), e.Sender,
			e.Description, e.DepartmentName, strconv.FormatBool(e.Secret), e.SecrecyGround, e.ObjectType, e.ObjectID}
		for i, v := range row {
			row[i] = safeCell(v)
		}
		if err := c.Write(row); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

// safeCell defuses spreadsheet formula injection (a cell starting with =,
// +, - or @ is run by Excel) by prefixing an apostrophe.
func safeCell(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}
