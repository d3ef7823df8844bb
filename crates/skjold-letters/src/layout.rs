//! The letter's layout: blocks (headings, paragraphs, lists, tables) set on A4 pages, with
//! page breaks, into a display list per page and the logical structure beside it.
//!
//! Every line of text drawn is one leaf of the structure (a marked-content sequence in the
//! PDF), so a paragraph or a table cell may run over a page break. What only serves the
//! eye (rules, the shaded table header, a table header repeated on a new page) is drawn as
//! an artifact, outside the structure.

use std::num::NonZeroU16;

use krilla::tagging::{ListNumbering, TableHeaderScope, Tag, TagKind};

use crate::fonts::Fonts;
use crate::wrap::{Line, Para, wrap};

/// A4, in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 62.0;
const TOP: f32 = 56.0;
/// Where the text of a page ends; the footer is below it.
const BOTTOM: f32 = PAGE_HEIGHT - 70.0;
pub(crate) const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 38.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;

/// A size of type and the distance between its lines.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) size: f32,
    pub(crate) leading: f32,
    pub(crate) bold: bool,
}

const BODY: Style = Style {
    size: 10.5,
    leading: 14.5,
    bold: false,
};
const CELL: Style = Style {
    size: 8.5,
    leading: 11.0,
    bold: false,
};
pub(crate) const FOOTER: Style = Style {
    size: 8.0,
    leading: 10.0,
    bold: false,
};

fn heading_style(level: u16) -> Style {
    match level {
        1 => Style {
            size: 17.0,
            leading: 22.0,
            bold: true,
        },
        2 => Style {
            size: 12.5,
            leading: 16.5,
            bold: true,
        },
        _ => Style {
            size: 11.0,
            leading: 14.5,
            bold: true,
        },
    }
}

/// What a letter says, in order.
pub(crate) enum Block {
    /// A heading of level 1 (the letter's), 2 (a section's) or 3.
    Heading(u16, String),
    Para(Para),
    /// Paragraphs set close together, like an address.
    Lines(Vec<Para>),
    /// A bulleted list; an item may have several paragraphs.
    List(Vec<Vec<Para>>),
    Table(Table),
}

pub(crate) struct Column {
    pub(crate) title: &'static str,
    /// Its share of the width, relative to the other columns' (the page has 471 points).
    pub(crate) share: f32,
}

/// A table with a header row; a cell holds paragraphs.
pub(crate) struct Table {
    /// What the table holds, for a reader that cannot see it.
    pub(crate) summary: String,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<Vec<Vec<Para>>>,
}

/// A run of text on a page: `y` is its baseline, from the top.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) bold: bool,
    pub(crate) size: f32,
    pub(crate) text: String,
}

pub(crate) enum Op {
    /// A line of text: a leaf of the structure, or an artifact when `leaf` is none; with
    /// the text it stands for when that is not what is drawn (a word broken by a hyphen).
    Text {
        leaf: Option<usize>,
        runs: Vec<Run>,
        actual: Option<String>,
    },
    /// A horizontal rule (an artifact).
    Rule {
        x: f32,
        y: f32,
        width: f32,
        gray: u8,
    },
    /// A shaded rectangle (an artifact).
    Shade {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: u8,
    },
}

/// The logical structure: groups of tags around the leaves, in reading order.
pub(crate) enum Node {
    Group(TagKind, Vec<Node>),
    Leaf(usize),
}

/// A heading and where it stands, for the document outline.
pub(crate) struct Mark {
    pub(crate) level: u16,
    pub(crate) title: String,
    pub(crate) page: usize,
    pub(crate) y: f32,
}

pub(crate) struct Laid {
    pub(crate) pages: Vec<Vec<Op>>,
    pub(crate) structure: Vec<Node>,
    pub(crate) leaves: usize,
    pub(crate) marks: Vec<Mark>,
}

/// Sets `blocks` on pages.
pub(crate) fn lay_out(fonts: &Fonts, blocks: &[Block]) -> Laid {
    let mut e = Engine {
        fonts,
        pages: vec![Vec::new()],
        y: TOP,
        leaves: 0,
        marks: Vec::new(),
    };
    let mut structure = Vec::new();
    for block in blocks {
        match block {
            Block::Heading(level, title) => structure.push(e.heading(*level, title)),
            Block::Para(p) => {
                structure.push(e.paragraph(p, BODY, MARGIN_X, CONTENT_WIDTH));
                e.y += 6.0;
            }
            Block::Lines(ps) => {
                for p in ps {
                    structure.push(e.paragraph(p, BODY, MARGIN_X, CONTENT_WIDTH));
                }
                e.y += 8.0;
            }
            Block::List(items) => structure.push(e.list(items)),
            Block::Table(t) => {
                structure.push(e.table(t));
                e.y += 10.0;
            }
        }
    }
    Laid {
        pages: e.pages,
        structure,
        leaves: e.leaves,
        marks: e.marks,
    }
}

struct Engine<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// The top of the next line on the current page.
    y: f32,
    leaves: usize,
    marks: Vec<Mark>,
}

impl Engine<'_> {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    fn at_top(&self) -> bool {
        self.y <= TOP + 0.5
    }

    /// A new page unless `height` still fits on this one (or this one is empty).
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn page_index(&self) -> usize {
        self.pages.len().saturating_sub(1)
    }

    /// Draws `line` with its top at `top`, as a leaf (or an artifact); returns the leaf.
    fn line_at(
        &mut self,
        line: &Line,
        style: Style,
        x: f32,
        top: f32,
        leaf: bool,
    ) -> Option<usize> {
        let face = self.fonts.face(style.bold);
        let height = (face.ascent + face.descent) * style.size;
        let baseline = top + (style.leading - height) / 2.0 + face.ascent * style.size;
        let runs = line
            .pieces
            .iter()
            .map(|p| Run {
                x: x + p.x,
                y: baseline,
                bold: p.bold || style.bold,
                size: style.size,
                text: p.text.clone(),
            })
            .collect();
        let leaf = leaf.then(|| {
            self.leaves += 1;
            self.leaves - 1
        });
        let actual = line.hyphenated.then(|| line.text());
        self.push(Op::Text { leaf, runs, actual });
        leaf
    }

    /// The lines of a paragraph in the flow, breaking pages between lines.
    fn lines(&mut self, para: &Para, style: Style, x: f32, width: f32) -> Vec<Node> {
        let mut leaves = Vec::new();
        for line in wrap(self.fonts, &emboldened(para, style), style.size, width) {
            self.ensure(style.leading);
            let top = self.y;
            leaves.extend(self.line_at(&line, style, x, top, true).map(Node::Leaf));
            self.y += style.leading;
        }
        leaves
    }

    fn paragraph(&mut self, para: &Para, style: Style, x: f32, width: f32) -> Node {
        Node::Group(Tag::P.into(), self.lines(para, style, x, width))
    }

    fn heading(&mut self, level: u16, title: &str) -> Node {
        let style = heading_style(level);
        let title = self
            .fonts
            .clean(title)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let lines = wrap(
            self.fonts,
            &[crate::wrap::strong(&title)],
            style.size,
            CONTENT_WIDTH,
        );
        if lines.is_empty() {
            // Nothing to show: no heading (PDF/UA wants no empty one).
            return Node::Group(Tag::P.into(), Vec::new());
        }
        let before = match level {
            1 => 0.0,
            2 => 12.0,
            _ => 6.0,
        };
        let height = lines.len() as f32 * style.leading;
        // Kept with at least three lines of what follows.
        self.ensure(before + height + 3.0 * BODY.leading);
        if !self.at_top() {
            self.y += before;
        }
        self.marks.push(Mark {
            level,
            title: title.clone(),
            page: self.page_index(),
            y: self.y,
        });
        let mut leaves = Vec::new();
        for line in &lines {
            let top = self.y;
            leaves.extend(
                self.line_at(line, style, MARGIN_X, top, true)
                    .map(Node::Leaf),
            );
            self.y += style.leading;
        }
        self.y += if level == 1 { 8.0 } else { 3.0 };
        let level = NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN);
        Node::Group(Tag::Hn(level, Some(title)).into(), leaves)
    }

    fn list(&mut self, items: &[Vec<Para>]) -> Node {
        const INDENT: f32 = 14.0;
        let mut children = Vec::new();
        for item in items {
            self.ensure(BODY.leading);
            let bullet = Line {
                pieces: vec![crate::wrap::Piece {
                    x: 0.0,
                    bold: false,
                    text: "•".to_owned(),
                }],
                hyphenated: false,
            };
            let top = self.y;
            let label = self.line_at(&bullet, BODY, MARGIN_X + 3.0, top, true);
            let mut body = Vec::new();
            for p in item {
                body.push(self.paragraph(p, BODY, MARGIN_X + INDENT, CONTENT_WIDTH - INDENT));
            }
            self.y += 3.0;
            let mut li = Vec::new();
            li.extend(label.map(|l| Node::Group(Tag::Lbl.into(), vec![Node::Leaf(l)])));
            li.push(Node::Group(Tag::LBody.into(), body));
            children.push(Node::Group(Tag::LI.into(), li));
        }
        self.y += 4.0;
        Node::Group(Tag::L(ListNumbering::Disc).into(), children)
    }

    fn table(&mut self, table: &Table) -> Node {
        const PAD_X: f32 = 4.0;
        const PAD_Y: f32 = 3.0;
        let total: f32 = table
            .columns
            .iter()
            .map(|c| c.share)
            .sum::<f32>()
            .max(f32::EPSILON);
        let mut xs = Vec::with_capacity(table.columns.len());
        let mut widths = Vec::with_capacity(table.columns.len());
        let mut x = MARGIN_X;
        for c in &table.columns {
            let w = c.share / total * CONTENT_WIDTH;
            xs.push(x);
            widths.push(w);
            x += w;
        }
        let head_style = Style { bold: true, ..CELL };
        let header: Vec<Vec<Line>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                wrap(
                    self.fonts,
                    &[crate::wrap::strong(c.title)],
                    CELL.size,
                    w - 2.0 * PAD_X,
                )
            })
            .collect();
        let header_lines = header.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let header_height = header_lines as f32 * CELL.leading + 2.0 * PAD_Y;
        let layout = Grid {
            xs: &xs,
            header: &header,
            header_height,
            style: head_style,
            pad: (PAD_X, PAD_Y),
        };

        let rows: Vec<Vec<Vec<Line>>> = table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&widths)
                    .map(|(paras, w)| self.cell_lines(paras, w - 2.0 * PAD_X))
                    .collect()
            })
            .collect();

        // The header stays with the first row (or as much of it as a page holds).
        let first = rows
            .first()
            .map_or(1, |r| r.iter().map(Vec::len).max().unwrap_or(1));
        let first =
            (first.max(1) as f32 * CELL.leading + 2.0 * PAD_Y).min(BOTTOM - TOP - header_height);
        self.ensure(header_height + first);
        let head_cells = self.table_header(&layout, true);
        let thead = Node::Group(
            Tag::THead.into(),
            vec![Node::Group(Tag::TR.into(), head_cells)],
        );
        let rows = rows
            .iter()
            .map(|cells| self.table_row(&layout, cells))
            .collect();
        let summary = Some(table.summary.clone());
        Node::Group(
            Tag::Table.with_summary(summary).into(),
            vec![thead, Node::Group(Tag::TBody.into(), rows)],
        )
    }

    /// A cell's paragraphs in lines; an empty cell shows a dash.
    fn cell_lines(&self, paras: &[Para], width: f32) -> Vec<Line> {
        let lines: Vec<Line> = paras
            .iter()
            .flat_map(|p| wrap(self.fonts, p, CELL.size, width))
            .collect();
        if lines.is_empty() {
            wrap(self.fonts, &crate::wrap::para("–"), CELL.size, width)
        } else {
            lines
        }
    }

    /// The header row: tagged the first time, an artifact when repeated on a new page.
    fn table_header(&mut self, g: &Grid<'_>, tagged: bool) -> Vec<Node> {
        let top = self.y;
        let width = CONTENT_WIDTH;
        self.push(Op::Shade {
            x: MARGIN_X,
            y: top,
            w: width,
            h: g.header_height,
            gray: 232,
        });
        let mut cells = Vec::new();
        for (i, lines) in g.header.iter().enumerate() {
            let mut leaves = Vec::new();
            for (k, line) in lines.iter().enumerate() {
                let t = top + g.pad.1 + k as f32 * CELL.leading;
                let x = g.xs[i] + g.pad.0;
                leaves.extend(self.line_at(line, g.style, x, t, tagged).map(Node::Leaf));
            }
            cells.push(Node::Group(
                Tag::TH(TableHeaderScope::Column).into(),
                leaves,
            ));
        }
        self.y = top + g.header_height;
        self.push(Op::Rule {
            x: MARGIN_X,
            y: self.y,
            width: 0.8,
            gray: 90,
        });
        cells
    }

    /// One row, broken over pages between lines if it must be.
    fn table_row(&mut self, g: &Grid<'_>, cells: &[Vec<Line>]) -> Node {
        let (pad_x, pad_y) = g.pad;
        let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = n as f32 * CELL.leading + 2.0 * pad_y;
        let fresh_page = BOTTOM - TOP - g.header_height;
        if self.y + height > BOTTOM && height <= fresh_page {
            self.new_page();
            self.table_header(g, false);
        }
        let mut leaves: Vec<Vec<Node>> = cells.iter().map(|_| Vec::new()).collect();
        let mut k = 0;
        while k < n {
            let fit = ((BOTTOM - self.y - 2.0 * pad_y) / CELL.leading).floor();
            let fit = if fit >= 1.0 { fit as usize } else { 0 };
            if fit == 0 {
                self.new_page();
                self.table_header(g, false);
                // A page always holds a line below the header.
                let fit = ((BOTTOM - self.y - 2.0 * pad_y) / CELL.leading).floor();
                if fit < 1.0 {
                    break;
                }
                continue;
            }
            let end = n.min(k + fit);
            let top = self.y;
            for (c, lines) in cells.iter().enumerate() {
                let x = g.xs[c] + pad_x;
                for (i, line) in lines.iter().enumerate().take(end).skip(k) {
                    let t = top + pad_y + (i - k) as f32 * CELL.leading;
                    if let Some(leaf) = self.line_at(line, CELL, x, t, true) {
                        leaves[c].push(Node::Leaf(leaf));
                    }
                }
            }
            self.y = top + (end - k) as f32 * CELL.leading + 2.0 * pad_y;
            self.push(Op::Rule {
                x: MARGIN_X,
                y: self.y,
                width: 0.4,
                gray: 170,
            });
            k = end;
            if k < n {
                self.new_page();
                self.table_header(g, false);
            }
        }
        let tds = leaves
            .into_iter()
            .map(|l| Node::Group(Tag::TD.into(), l))
            .collect();
        Node::Group(Tag::TR.into(), tds)
    }
}

/// The columns of a table being set.
struct Grid<'a> {
    xs: &'a [f32],
    header: &'a [Vec<Line>],
    header_height: f32,
    style: Style,
    pad: (f32, f32),
}

/// A paragraph in a bold style is bold throughout.
fn emboldened(para: &Para, style: Style) -> Para {
    if !style.bold {
        return para.clone();
    }
    para.iter()
        .map(|s| crate::wrap::Span {
            text: s.text.clone(),
            bold: true,
        })
        .collect()
}
