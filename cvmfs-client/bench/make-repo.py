#!/usr/bin/env python3
"""Writes a minimal, signed CernVM-FS repository holding one generated file, for benchmarks.

Usage: make-repo.py OUT_DIR FQRN SIZE_MB
Result: OUT_DIR/cvmfs/FQRN (stratum layout), OUT_DIR/keys/FQRN.pub, OUT_DIR/big.bin (the same
bytes as a plain file, for curl). The file is hex text of random bytes (zlib gets ~57 %), stored in
8 MiB chunks (any boundaries are valid for a reader), SHA-1 names, zlib objects, schema 2.5/7.

This is not the project's publisher: only enough of the format (spec §2, §3, §6, §11.1) for the
reader benchmark, signed with openssl exactly as cvmfs_server does.
"""
import hashlib, os, sqlite3, struct, subprocess, sys, time, zlib

out, fqrn, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
repo = os.path.join(out, "cvmfs", fqrn)
keys = os.path.join(out, "keys")
os.makedirs(os.path.join(repo, "data"), exist_ok=True)
os.makedirs(keys, exist_ok=True)
CHUNK = 8 * 1024 * 1024
now = int(time.time())


def put(data, suffix=""):
    z = zlib.compress(data, 6)
    h = hashlib.sha1(z).hexdigest()
    d = os.path.join(repo, "data", h[:2])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, h[2:] + suffix), "wb") as f:
        f.write(z)
    return h


def md5pair(path):
    return struct.unpack("<qq", hashlib.md5(path.encode()).digest())


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout


# the file and its chunks
size = size_mb * 1024 * 1024
big = os.path.join(out, "big.bin")
chunks = []
with open(big, "wb") as f:
    off = 0
    while off < size:
        n = min(CHUNK, size - off)
        data = os.urandom(n // 2).hex().encode()[:n]
        f.write(data)
        chunks.append((off, n, put(data, "P")))
        off += n

# keys and certificate
mk, ck, crt = (os.path.join(keys, fqrn + s) for s in (".masterkey", ".key", ".crt"))
openssl("genrsa", "-out", mk, "2048")
open(os.path.join(keys, fqrn + ".pub"), "wb").write(openssl("rsa", "-in", mk, "-pubout"))
openssl("genrsa", "-out", ck, "2048")
openssl("req", "-new", "-x509", "-key", ck, "-out", crt, "-days", "365",
        "-subj", "/CN=" + fqrn[:30] + " CernVM-FS Release Managers")
pem = open(crt, "rb").read()
cert_hash = put(pem, "X")
der = openssl("x509", "-in", crt, "-outform", "DER")
fp = ":".join("%02X" % b for b in hashlib.sha1(der).digest())

# catalog
db_path = os.path.join(out, "catalog.db")
if os.path.exists(db_path):
    os.remove(db_path)
db = sqlite3.connect(db_path)
db.executescript("""
CREATE TABLE properties (key TEXT, value TEXT, CONSTRAINT pk_properties PRIMARY KEY (key));
CREATE TABLE catalog (md5path_1 INTEGER, md5path_2 INTEGER, parent_1 INTEGER, parent_2 INTEGER,
  hardlinks INTEGER, hash BLOB, size INTEGER, mode INTEGER, mtime INTEGER, mtimens INTEGER,
  flags INTEGER, name TEXT, symlink TEXT, uid INTEGER, gid INTEGER, xattr BLOB,
  CONSTRAINT pk_catalog PRIMARY KEY (md5path_1, md5path_2));
CREATE INDEX idx_catalog_parent ON catalog (parent_1, parent_2);
CREATE TABLE chunks (md5path_1 INTEGER, md5path_2 INTEGER, offset INTEGER, size INTEGER, hash BLOB,
  CONSTRAINT pk_chunks PRIMARY KEY (md5path_1, md5path_2, offset, size),
  FOREIGN KEY (md5path_1, md5path_2) REFERENCES catalog(md5path_1, md5path_2));
CREATE TABLE nested_catalogs (path TEXT, sha1 TEXT, size INTEGER,
  CONSTRAINT pk_nested_catalogs PRIMARY KEY (path));
CREATE TABLE bind_mountpoints (path TEXT, sha1 TEXT, size INTEGER,
  CONSTRAINT pk_bind_mountpoints PRIMARY KEY (path));
CREATE TABLE statistics (counter TEXT, value INTEGER, CONSTRAINT pk_statistics PRIMARY KEY (counter));
""")
for k, v in (("schema", "2.5"), ("schema_revision", "7"), ("revision", "1"),
             ("last_modified", str(now)), ("TTL", "240")):
    db.execute("INSERT INTO properties VALUES (?, ?)", (k, v))
counts = {"regular": 1, "dir": 1, "chunked": 1, "chunks": len(chunks), "file_size": size,
          "chunked_size": size}
for c in ("regular symlink special dir nested chunked chunks file_size chunked_size xattr "
          "external external_file_size").split():
    db.execute("INSERT INTO statistics VALUES (?, ?)", ("self_" + c, counts.get(c, 0)))
    db.execute("INSERT INTO statistics VALUES (?, ?)", ("subtree_" + c, 0))
root = md5pair("")
db.execute("INSERT INTO catalog VALUES (?,?,0,0,2,NULL,4096,16877,?,NULL,1,'','',0,0,NULL)",
           (*root, now))
fpath = md5pair("/big.bin")
db.execute("INSERT INTO catalog VALUES (?,?,?,?,1,NULL,?,33188,?,NULL,68,'big.bin','',0,0,NULL)",
           (*fpath, *root, size, now))
for off, n, h in chunks:
    db.execute("INSERT INTO chunks VALUES (?,?,?,?,?)", (*fpath, off, n, bytes.fromhex(h)))
db.commit()
db.close()
cat_bytes = open(db_path, "rb").read()
root_hash = put(cat_bytes, "C")


def signed(body, sign_args):
    hash_line = hashlib.sha1(body).hexdigest().encode()
    sig = openssl(*sign_args, data=hash_line)
    return body + b"--\n" + hash_line + b"\n" + sig


stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
expiry = time.strftime("%Y%m%d%H%M%S", time.gmtime(now + 30 * 86400))
wl = ("%s\nE%s\nN%s\n%s\n" % (stamp, expiry, fqrn, fp)).encode()
open(os.path.join(repo, ".cvmfswhitelist"), "wb").write(signed(wl, ["pkeyutl", "-sign", "-inkey", mk]))
manifest = ("C%s\nB%d\nRd41d8cd98f00b204e9800998ecf8427e\nD240\nS1\nGno\nAno\nN%s\nX%s\nT%d\n"
            % (root_hash, len(cat_bytes), fqrn, cert_hash, now)).encode()
open(os.path.join(repo, ".cvmfspublished"), "wb").write(
    signed(manifest, ["dgst", "-sha1", "-sign", ck]))
print("repository %s: %d bytes in %d chunks, root catalog %s" % (fqrn, size, len(chunks), root_hash))
