// Package archive keeps the municipality's social-media dialogue as public
// records (allmänna handlingar): an append-only, hash-chained record of every
// version of every item, every reply and post the municipality sent, every
// attachment (content-addressed in package blob) and every raw delivery as
// received. It searches the records, culls them under retention rules with
// legal holds, triages items for registration, and verifies the chain.
//
// # The record model
//
// A record (table archive_records) is one thing that happened, in the order
// Tilltal learned of it:
//
//	seq            gap-free position in the chain, from 1
//	kind           item_version | reply | post | attachment | raw_delivery |
//	               culling | classification | hold | registration | snapshot
//	channel_id, department_id, item_id, item_version, thread_id
//	               where it belongs (0 when not applicable)
//	platform, external_id
//	               the platform and the platform's id of the object
//	author_id, author_name
//	               who wrote it on the platform (for replies: the official)
//	direction      in (to the municipality) | out (from it) | internal
//	occurred_at    when it became visible on the platform — the receipt
//	               time of the record in the sense of the law
//	captured_at    when Tilltal got it
//	ref_seq        the record this one is about (an attachment's item
//	               version; an item version's raw delivery), 0 when none
//	content_type   application/json for Tilltal's own JSON; the raw
//	               delivery keeps the platform's bytes as received
//	content        the bytes; NULL once culled
//	content_size, content_sha256
//	               of the content, kept after culling
//	prev_hash, hash
//	               the chain (below)
//
// Outside the hash, set after the append and each also appended as a record
// of its own so that the chain holds their history:
//
//	diary_number   the diary's number for the record ('' when not
//	               registered); the diary appends a registration record
//	secret, secrecy_ground
//	               the secrecy marker and its legal ground (OSL chapter and
//	               section), from the item's registration class
//	culled_at, culled_by
//	               when and by which culling record the content was removed
//
// search_text and author_key are derived from the content for search.
//
// The content of Tilltal's own records is JSON of the types named after
// their kind: ItemVersionContent, ReplyContent, AttachmentContent,
// CullingContent, ClassificationContent, HoldContent, RegistrationContent,
// PostContent (and snapshot.Content).
// An item_version's ref_seq is the raw_delivery it came in (0 when polled);
// an attachment's is the item_version that named it; a hold on a record
// has the record as ref_seq. Posts (kind post) are appended by publishing
// with PostTx, snapshots by package snapshot with AppendTx; the diary
// registers items' records with RegisterItemsTx (MarkRegisteredTx for
// records chosen one by one). An attachment that could not be fetched is
// an attachment record with status not_fetched (and gave_up at the end)
// and no file. Culling a record culls what copies it outside the archive:
// attachment and snapshot files, and an item's inbox copy once all its
// versions are culled (cullItemsTx), with the intake's copies of its
// events and of deliveries that brought nothing else (cullEventsTx).
// Legal holds and open records requests (release_records of a request not
// yet released) keep records from culling (heldClause, requestedClause).
//
// # The hash chain
//
// hash = hex(SHA-256(E)), where E is the UTF-8 text
//
//	"tilltal-archive-record-v1\n" followed by, for each field in the order
//	seq, prev_hash, kind, channel_id, department_id, item_id, item_version,
//	thread_id, platform, external_id, author_id, author_name, direction,
//	occurred_at, captured_at, ref_seq, content_type, content_size,
//	content_sha256, the line  name "=" len(value) ":" value "\n"
//
// with integers in decimal, times in UTC as 2006-01-02T15:04:05.000000Z
// (microseconds: what PostgreSQL keeps) and len the value's length in
// bytes. The first record's prev_hash is 64 zeros; every later record's is
// the hash of the one before. Because the hash covers content_sha256 and not
// the content, culling removes the content and the chain still verifies; the
// culling record names every record it culled, so content missing without a
// culling record is caught as tampering. The head (archive_chain) holds the
// last seq and hash, so removing records from the end is caught too; and
// because an intruder could move the head back with them, the head is
// also written down periodically as an anchor (archive_anchors and the
// audit log, AnchorHead), and Verify checks that every anchor is still on
// the chain.
//
// Appends take a row lock on the head inside the caller's transaction, so
// appends from several transactions and several instances on one PostgreSQL
// take turns and the chain never forks; SQLite's single writer does the same.
// Callers that lock other rows after appending should call LockTx first, to
// take the locks in one order.
package archive
