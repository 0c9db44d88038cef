package earchive

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"tilltal/internal/archive"
)

// masked stands for a name the law keeps secret.
const masked = "[sekretess]"

var kindLabels = map[archive.Kind]string{
	archive.KindItemVersion:    "Inlägg eller kommentar",
	archive.KindReply:          "Svar från kommunen",
	archive.KindPost:           "Publicering från kommunen",
	archive.KindAttachment:     "Bilaga",
	archive.KindSnapshot:       "Ögonblicksbild av kontot",
	archive.KindClassification: "Registreringsklass",
	archive.KindRegistration:   "Registrering i diariet",
	archive.KindHold:           "Bevarandebeslut",
}

var directionLabels = map[archive.Direction]string{archive.In: "Inkommande", archive.Out: "Utgående", archive.Internal: "Intern"}

// ermsRecord describes a record for ERMS: its diary number as the object
// id when it is registered, the direction, sender and receiver (masked
// when secret), dates and the secrecy restriction with its legal ground.
func (r *run) ermsRecord(rec archive.Record, att archive.AttachmentContent) ermsRecord {
	seq := strconv.FormatInt(rec.Seq, 10)
	e := ermsRecord{SystemID: "tilltal-" + seq, RecordType: string(rec.Kind), Digital: "digitial", ObjectID: rec.DiaryNumber,
		ExtraIDs: []ermsExtraID{{"tilltal_arkivpost", seq}, {"tilltal_hash", rec.Hash}, {"innehall_sha256", rec.ContentSHA256}}}
	if e.ObjectID == "" {
		e.ObjectID = "Tilltal " + seq
	} else {
		e.ExtraIDs = append(e.ExtraIDs, ermsExtraID{"diarienummer", rec.DiaryNumber})
	}
	if rec.ExternalID != "" {
		e.ExtraIDs = append(e.ExtraIDs, ermsExtraID{"plattformens_id", rec.Platform + ":" + rec.ExternalID})
	}
	e.Title = title(rec, att)
	if rec.Secret {
		ground := rec.SecrecyGround
		if ground == "" {
			ground = "OSL (grund ej angiven)"
		}
		e.Restriction = &ermsRestriction{Type: "confidential", Explanation: "Sekretess enligt registratorns bedömning", Regulation: ground}
		e.Title = "[sekretessbelagd uppgift]"
	}
	channel := r.channels[rec.ChannelID]
	var sender, receiver string
	switch rec.Direction {
	case archive.In:
		e.Direction = &ermsDirection{"incoming"}
		sender, receiver = rec.AuthorName, channel
	case archive.Out:
		e.Direction = &ermsDirection{"outgoing"}
		sender, receiver = channel, ""
		if rec.AuthorName != "" && rec.AuthorName != channel {
			e.Agents = append(e.Agents, ermsAgent{"creator", rec.AuthorName})
		}
	}
	if rec.Secret {
		if rec.Direction == archive.Out {
			receiver = masked
		} else {
			sender = masked
		}
	}
	if sender != "" {
		e.Agents = append(e.Agents, ermsAgent{"sender", sender})
	}
	if receiver != "" {
		e.Agents = append(e.Agents, ermsAgent{"receiver", receiver})
	}
	e.Dates = []ermsDate{{"created", ermsTime(rec.OccurredAt)}, {"captured", ermsTime(rec.CapturedAt)}}
	return e
}

// title is a record's short description: the start of its text.
func title(rec archive.Record, att archive.AttachmentContent) string {
	label := kindLabels[rec.Kind]
	text := rec.Text()
	if rec.Kind == archive.KindAttachment {
		text = att.Title
		if text == "" {
			text = att.URL
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > 80 {
		text = string([]rune(text)[:79]) + "…"
	}
	if text == "" {
		return label
	}
	return label + ": " + text
}

func (r *run) threadTitle(rec archive.Record) string {
	if rec.ThreadID == 0 {
		return "Handlingar utanför konversationer"
	}
	t := "Konversation " + strconv.FormatInt(rec.ThreadID, 10)
	if name := r.channels[rec.ChannelID]; name != "" {
		t += " i " + name
	}
	return t
}

// view is the record in the readable rendition. The rendition is the
// archive's own copy: it shows the records in full, secret ones marked.
func (r *run) view(rec archive.Record, att archive.AttachmentContent) view {
	v := view{Seq: rec.Seq, Heading: kindLabels[rec.Kind] + " (arkivpost " + strconv.FormatInt(rec.Seq, 10) + ")", Text: rec.Text()}
	add := func(label, value string) {
		if value != "" {
			v.Fields = append(v.Fields, [2]string{label, value})
		}
	}
	add("Diarienummer", rec.DiaryNumber)
	add("Riktning", directionLabels[rec.Direction])
	add("Kanal", r.channels[rec.ChannelID])
	add("Plattform", rec.Platform)
	add("Avsändare", rec.AuthorName)
	add("Mottagen på plattformen", localTime(rec.OccurredAt))
	add("Hämtad av Tilltal", localTime(rec.CapturedAt))
	if rec.Secret {
		add("Sekretess", "Ja, "+rec.SecrecyGround)
	}
	if rec.Kind == archive.KindAttachment {
		add("Bilaga", att.Title)
		add("Adress", att.URL)
		add("Filtyp", att.ContentType)
	}
	if !described(rec.Kind) {
		v.Text = eventDetail(rec)
	}
	add("Kontrollsumma (SHA-256)", rec.Hash)
	return v
}

// events records what happened to the record in PREMIS: its capture, and
// for item versions the change on the platform; classification,
// registration and hold records are events about other records.
func (r *run) events(rec archive.Record) error {
	self := premisLink{idRecord, strconv.FormatInt(rec.Seq, 10)}
	if !described(rec.Kind) {
		var link premisLink
		var about struct {
			ItemID  int64   `json:"item_id"`
			Records []int64 `json:"records"`
		}
		_ = json.Unmarshal(rec.Content, &about)
		links := []premisLink{self}
		if about.ItemID != 0 {
			link = premisLink{idItem, strconv.FormatInt(about.ItemID, 10)}
			links = append(links, link)
		}
		for _, s := range about.Records {
			links = append(links, premisLink{idRecord, strconv.FormatInt(s, 10)})
		}
		if rec.RefSeq != 0 {
			links = append(links, premisLink{idRecord, strconv.FormatInt(rec.RefSeq, 10)})
		}
		return r.premis.event("metadata modification", ermsTime(rec.OccurredAt), eventDetail(rec), links...)
	}
	if err := r.premis.event("capture", ermsTime(rec.CapturedAt), kindLabels[rec.Kind]+" arkiverad av Tilltal", self); err != nil {
		return err
	}
	if rec.Kind != archive.KindItemVersion {
		return nil
	}
	var c archive.ItemVersionContent
	_ = json.Unmarshal(rec.Content, &c)
	kind, detail := "", ""
	switch c.Verb {
	case "edit":
		kind, detail = "modification", "Redigerad på plattformen (version "+strconv.Itoa(c.Version)+")"
	case "remove":
		kind, detail = "deletion", "Raderad på plattformen; handlingen finns kvar i arkivet"
	case "hide":
		kind, detail = "modification", "Dold på plattformen"
	case "unhide":
		kind, detail = "modification", "Visas åter på plattformen"
	}
	if kind == "" {
		return nil
	}
	return r.premis.event(kind, ermsTime(rec.OccurredAt), detail, self, premisLink{idItem, strconv.FormatInt(rec.ItemID, 10)})
}

// eventDetail describes a classification, registration or hold record.
func eventDetail(rec archive.Record) string {
	switch rec.Kind {
	case archive.KindClassification:
		var c archive.ClassificationContent
		_ = json.Unmarshal(rec.Content, &c)
		s := "Registreringsklass " + c.Class.Label()
		if c.Previous != "" {
			s += " (tidigare " + c.Previous.Label() + ")"
		}
		if c.Reason != "" {
			s += ": " + c.Reason
		}
		if c.SecrecyGround != "" {
			s += "; sekretessgrund " + c.SecrecyGround
		}
		return s
	case archive.KindRegistration:
		var c archive.RegistrationContent
		_ = json.Unmarshal(rec.Content, &c)
		return "Registrerad i diariet som " + c.DiaryNumber
	case archive.KindHold:
		var c archive.HoldContent
		_ = json.Unmarshal(rec.Content, &c)
		action := "placerat"
		if c.Action == "released" {
			action = "hävt"
		}
		return "Bevarandebeslut " + action + " (" + c.Scope + " " + strconv.FormatInt(c.TargetID, 10) + "): " + c.Reason
	}
	return kindLabels[rec.Kind]
}
