//! The UI's IPC contract in TypeScript, generated from the Rust types with ts-rs: every
//! type a command takes or returns or an event carries (with every type inside them), the
//! `Commands` table (each command's name, arguments and result, from the table in
//! `commands`) and the `Events` table (from `ui_events`), in one file, `ui/src/lib/bindings.ts`.
//!
//! The test below renders it and fails when the committed file differs; with
//! `OUTPOST_WRITE_BINDINGS=1` it writes the file instead (see [`REGENERATE`]). The output is
//! stable: types sorted by name, commands in the table's order, no timestamps. Integers are
//! `number` whatever `TS_RS_LARGE_INT` says (the IPC is JSON), set in [`config`].

use std::any::TypeId;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use ts_rs::{Config, TypeVisitor, TS};

/// The generated file, relative to the workspace root.
pub const FILE: &str = "ui/src/lib/bindings.ts";

/// The command that regenerates [`FILE`] (from the workspace root).
pub const REGENERATE: &str =
    "OUTPOST_WRITE_BINDINGS=1 cargo test -p outpost-desktop --bin outpost-desktop bindings";

/// A Rust type as the contract names it.
pub struct TypeRef {
    /// The type as written in Rust (compared with the command's signature).
    pub rust: &'static str,
    name: fn(&Config) -> String,
    visit: fn(&mut Collector<'_>),
}

impl TypeRef {
    /// `T`, written `rust` in the table.
    pub fn of<T: TS + 'static>(rust: &'static str) -> TypeRef {
        fn visit<T: TS + 'static>(c: &mut Collector<'_>) {
            c.visit::<T>();
            T::visit_generics(c);
        }
        TypeRef {
            rust,
            name: T::name,
            visit: visit::<T>,
        }
    }

    /// The TypeScript type.
    pub fn ts(&self, cfg: &Config) -> String {
        (self.name)(cfg)
    }
}

/// One argument of a command, named as in Rust (`account_id`; the UI passes `accountId`).
pub struct Arg {
    /// The Rust parameter name.
    pub name: &'static str,
    /// Its type.
    pub ty: TypeRef,
}

impl Arg {
    /// The argument `name: T`.
    pub fn new<T: TS + 'static>(name: &'static str, rust: &'static str) -> Arg {
        Arg {
            name,
            ty: TypeRef::of::<T>(rust),
        }
    }
}

/// One command of the table.
pub struct Command {
    /// The module of `commands` it lives in.
    pub module: &'static str,
    /// Its name, as `invoke` takes it.
    pub name: &'static str,
    /// The arguments the UI passes (the injected `State`/`AppHandle` left out).
    pub args: Vec<Arg>,
    /// The `Ok` of its `CmdResult`.
    pub result: TypeRef,
}

/// How the bindings are rendered: large integers (`i64`, `u64`) as `number`, since they
/// travel as JSON numbers.
pub fn config() -> Config {
    Config::new().with_large_int("number")
}

/// Every named type reachable from the roots, by TypeScript name.
pub struct Collector<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, (&'static str, String)>,
}

impl TypeVisitor for Collector<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives, `Vec`, `Option`…: no declaration of their own.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let name = T::ident(self.cfg);
        let rust = std::any::type_name::<T>();
        let decl = format!(
            "{}export {}",
            T::docs().unwrap_or_default(),
            tidy(&T::decl(self.cfg))
        );
        match self.decls.entry(name) {
            Entry::Vacant(e) => {
                e.insert((rust, decl));
            }
            Entry::Occupied(e) => panic!(
                "two Rust types are named {} in TypeScript: {} and {rust} (rename one with #[ts(rename = \"…\")])",
                e.key(),
                e.get().0
            ),
        }
        T::visit_dependencies(self);
    }
}

/// ts-rs's one-line declaration laid out for reading: a field per line (with its doc
/// comment), indented two spaces per level of `{…}` that spans lines, no trailing spaces.
/// Braces inside comments and string literals are text.
pub fn tidy(decl: &str) -> String {
    let mut out = String::with_capacity(decl.len() * 2);
    // One entry per open `{`: whether a line break was seen inside it.
    let mut open: Vec<bool> = Vec::new();
    let (mut comment, mut string) = (false, false);
    let mut chars = decl.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                if let Some(last) = open.last_mut() {
                    *last = true;
                }
                new_line(&mut out, open.len());
                continue;
            }
            '*' if comment && chars.peek() == Some(&'/') => comment = false,
            _ if comment => {}
            _ if string => string = c != '"',
            '/' if chars.peek() == Some(&'*') => comment = true,
            '"' => string = true,
            '{' => open.push(false),
            '}' => {
                let spans_lines = open.pop() == Some(true);
                if spans_lines {
                    new_line(&mut out, open.len());
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// End the line (without trailing spaces) and indent the next one `depth` levels.
fn new_line(out: &mut String, depth: usize) {
    let kept = out.trim_end_matches(' ').len();
    out.truncate(kept);
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
}

/// `account_id` → `accountId`, as Tauri names command arguments.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The whole file.
pub fn render(commands: &[Command], events: &[(&'static str, TypeRef)]) -> String {
    let cfg = config();
    let mut collector = Collector {
        cfg: &cfg,
        seen: HashSet::new(),
        decls: BTreeMap::new(),
    };
    for c in commands {
        for a in &c.args {
            (a.ty.visit)(&mut collector);
        }
        (c.result.visit)(&mut collector);
    }
    for (_, payload) in events {
        (payload.visit)(&mut collector);
    }

    let mut out = format!(
        "// The IPC contract between the web UI and the Rust side, generated from the Rust types\n\
         // by crates/desktop/src/bindings.rs (ts-rs). Do not edit: change the Rust types, then run\n\
         //   {REGENERATE}\n\
         // from the repository root. Integers are `number`; `Option` is `T | null`.\n"
    );
    for (_, decl) in collector.decls.values() {
        out.push('\n');
        out.push_str(decl);
        out.push('\n');
    }

    out.push_str(
        "\n/** Every command, by the name `invoke` takes: its arguments (camelCase, as Tauri maps\n \
         * them; `undefined` for none) and what it resolves to. Failures reject with `ErrorPayload`. */\n\
         export interface Commands {\n",
    );
    for c in commands {
        let args = if c.args.is_empty() {
            "undefined".to_owned()
        } else {
            let fields: Vec<String> = c
                .args
                .iter()
                .map(|a| format!("{}: {}", camel_case(a.name), a.ty.ts(&cfg)))
                .collect();
            format!("{{ {} }}", fields.join("; "))
        };
        out.push_str(&format!(
            "  {}: {{ args: {args}; result: {} }};\n",
            c.name,
            c.result.ts(&cfg)
        ));
    }
    out.push_str("}\n\nexport type CommandName = keyof Commands;\n");

    out.push_str("\n/** Every event, by the name `listen` takes, with its payload. */\n");
    out.push_str("export interface Events {\n");
    let mut events: Vec<_> = events.iter().collect();
    events.sort_by_key(|(name, _)| *name);
    for (name, payload) in events {
        out.push_str(&format!("  '{name}': {};\n", payload.ts(&cfg)));
    }
    out.push_str("}\n\nexport type EventName = keyof Events;\n");
    out
}

/// [`FILE`] as an absolute path.
pub fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> String {
        render(&crate::commands::table(), &crate::ui_events::table())
    }

    /// The committed bindings are what the Rust types give today (CI fails otherwise);
    /// `OUTPOST_WRITE_BINDINGS=1` writes them.
    #[test]
    fn committed_bindings_are_fresh() {
        let fresh = rendered();
        let path = path();
        if std::env::var("OUTPOST_WRITE_BINDINGS").as_deref() == Ok("1") {
            std::fs::write(&path, &fresh).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != fresh {
            let line = committed
                .lines()
                .zip(fresh.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()))
                + 1;
            panic!(
                "{FILE} differs from the bindings the Rust types give (first at line {line}).\n\
                 Regenerate it from the repository root with:\n\n    {REGENERATE}\n\n\
                 and commit the result."
            );
        }
    }

    #[test]
    fn large_integers_are_numbers() {
        let cfg = config();
        assert_eq!(i64::name(&cfg), "number");
        assert_eq!(u64::name(&cfg), "number");
        assert!(!rendered().contains("bigint"));
    }

    #[test]
    fn declarations_are_laid_out_a_field_a_line() {
        let raw = "type A = { \n/**\n * Its {id}, \"quoted\".\n */\nid: number, \nb: { c: \"}\", }, } | { d: string, };";
        assert_eq!(
            tidy(raw),
            "type A = {\n  /**\n   * Its {id}, \"quoted\".\n   */\n  id: number,\n  b: { c: \"}\", },\n} | { d: string, };"
        );
    }

    #[test]
    fn arguments_are_named_as_tauri_names_them() {
        assert_eq!(camel_case("account_id"), "accountId");
        assert_eq!(camel_case("utc_offset_minutes"), "utcOffsetMinutes");
        assert_eq!(camel_case("all"), "all");
    }
}
