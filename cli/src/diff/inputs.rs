//! The documents `kap diff` reads, one at a time: every `.json` file below a folder, in
//! order of their paths (the corpus's expected outputs, `.expected.json`, left out), or each
//! line of a JSON Lines file or of standard input (blank lines skipped).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// One document as read: where it comes from, and its text or why it cannot be read.
pub struct Document {
    /// Its file, or `FILE:LINE` for a line of a JSON Lines file.
    pub label: String,
    /// Its text, or why it could not be read.
    pub text: Result<String, Unread>,
}

/// Why a document could not be read.
pub struct Unread {
    /// What went wrong.
    pub message: String,
    /// Whether the file itself could not be read (not only its text: a line that is not UTF-8).
    pub io: bool,
}

fn unread(message: String, io: bool) -> Unread {
    Unread { message, io }
}

/// A stream of documents.
pub enum Documents {
    /// The files of a folder, sorted.
    Files(std::vec::IntoIter<PathBuf>),
    /// The lines of a JSON Lines file (`stdin` for standard input).
    Lines {
        /// The file's name, for the labels.
        name: String,
        /// The reader.
        reader: Box<dyn BufRead>,
        /// The number of the last line read.
        line: usize,
        /// Set once the reader has failed: no more lines are read.
        failed: bool,
    },
}

impl Documents {
    /// Opens `path`: a folder, a JSON Lines file, or `-` for standard input.
    pub fn open(path: &Path) -> std::io::Result<Documents> {
        if path == Path::new("-") {
            let reader: Box<dyn BufRead> = Box::new(BufReader::new(std::io::stdin()));
            return Ok(Documents::Lines { name: "stdin".into(), reader, line: 0, failed: false });
        }
        if path.is_dir() {
            let mut files = Vec::new();
            collect(path, &mut files)?;
            files.sort();
            return Ok(Documents::Files(files.into_iter()));
        }
        let file = std::fs::File::open(path)?;
        let reader: Box<dyn BufRead> = Box::new(BufReader::with_capacity(1 << 16, file));
        Ok(Documents::Lines { name: path.display().to_string(), reader, line: 0, failed: false })
    }
}

/// Every `.json` file below `root`, expected outputs left out.
fn collect(root: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                folders.push(path);
            } else if name.ends_with(".json") && !name.ends_with(".expected.json") {
                files.push(path);
            }
        }
    }
    Ok(())
}

impl Iterator for Documents {
    type Item = Document;

    fn next(&mut self) -> Option<Document> {
        match self {
            Documents::Files(files) => {
                let path = files.next()?;
                let text =
                    std::fs::read_to_string(&path).map_err(|e| unread(format!("cannot read the file: {e}"), true));
                Some(Document { label: path.display().to_string(), text })
            }
            Documents::Lines { name, reader, line, failed } => {
                let mut bytes = Vec::new();
                while !*failed {
                    bytes.clear();
                    *line += 1;
                    match reader.read_until(b'\n', &mut bytes) {
                        Ok(0) => return None,
                        Ok(_) if bytes.iter().all(u8::is_ascii_whitespace) => continue,
                        Ok(_) => {
                            let text = String::from_utf8(std::mem::take(&mut bytes))
                                .map_err(|_| unread("the line is not UTF-8 text".into(), false));
                            return Some(Document { label: format!("{name}:{line}"), text });
                        }
                        Err(e) => {
                            *failed = true;
                            let text = Err(unread(format!("cannot read the file: {e}"), true));
                            return Some(Document { label: format!("{name}:{line}"), text });
                        }
                    }
                }
                None
            }
        }
    }
}
