-- A finished export is kept in the blob store (a shared bucket when there
-- are several instances), named by its SHA-256; result_path keeps only
-- the package's file name.
ALTER TABLE exports ADD COLUMN result_sha256 TEXT NOT NULL DEFAULT '';
