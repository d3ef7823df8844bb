//! From the laid-out pages to a PDF/UA-1 document with krilla: the display list drawn page
//! by page, every line tagged, rules and footers as artifacts, the structure tree, the
//! outline of the headings, the title and the language. krilla validates the document
//! against PDF/UA-1 when it is finished, and refuses it if anything it checks is missing.

use krilla::Document;
use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TagGroup, TagTree};
use krilla::text::TextDirection;

use crate::LetterError;
use crate::fonts::Fonts;
use crate::layout::{self, Block, FOOTER, Mark, Node, Op, Run};

/// The language of every letter.
const LANGUAGE: &str = "da";

/// A letter to render: its title (the document's), the footer's left text, its content.
pub(crate) struct Letter {
    pub(crate) title: String,
    pub(crate) footer: String,
    pub(crate) author: String,
    pub(crate) blocks: Vec<Block>,
}

pub(crate) fn render(letter: &Letter) -> Result<Vec<u8>, LetterError> {
    let fonts = Fonts::load()?;
    let laid = layout::lay_out(&fonts, &letter.blocks);
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| LetterError::Pdf(format!("configuration: {e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let page_settings = PageSettings::from_wh(layout::PAGE_WIDTH, layout::PAGE_HEIGHT)
        .ok_or_else(|| LetterError::Pdf("page size".to_owned()))?;
    let footer = fonts.clean(&letter.footer);
    let count = laid.pages.len();
    let mut ids: Vec<Option<Identifier>> = vec![None; laid.leaves];
    for (index, ops) in laid.pages.iter().enumerate() {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, &fonts, op, &mut ids);
        }
        let number = format!("Side {} af {count}", index + 1);
        draw_footer(&mut surface, &fonts, &footer, &number);
        surface.finish();
        page.finish();
    }

    let mut children = Vec::with_capacity(laid.structure.len());
    for node in laid.structure {
        children.extend(tag_node(node, &mut ids)?);
    }
    document.set_tag_tree(TagTree::from(children).with_lang(Some(LANGUAGE.to_owned())));
    document.set_outline(outline(&laid.marks, count));
    document.set_metadata(
        Metadata::new()
            .title(fonts.clean(&letter.title))
            .language(LANGUAGE.to_owned())
            .authors(vec![fonts.clean(&letter.author)])
            .creator("Skjold".to_owned()),
    );
    document.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => LetterError::NotAccessible(
            errors
                .iter()
                .map(|(error, _)| format!("{error:?}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => LetterError::Pdf(other.to_string()),
    })
}

fn gray(level: u8) -> rgb::Color {
    rgb::Color::new(level, level, level)
}

fn artifact(kind: ArtifactType) -> ContentTag<'static> {
    ContentTag::Artifact(Artifact::with_kind(kind))
}

fn draw_runs(surface: &mut Surface<'_>, fonts: &Fonts, runs: &[Run]) {
    for run in runs {
        surface.draw_text(
            Point::from_xy(run.x, run.y),
            fonts.face(run.bold).font.clone(),
            run.size,
            &run.text,
            false,
            TextDirection::LeftToRight,
        );
    }
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op, ids: &mut [Option<Identifier>]) {
    match op {
        Op::Text { leaf, runs, actual } => {
            let tag = match leaf {
                Some(_) => ContentTag::Span(SpanTag::empty().with_actual_text(actual.as_deref())),
                None => artifact(ArtifactType::PaginationOther),
            };
            let id = surface.start_tagged(tag);
            draw_runs(surface, fonts, runs);
            surface.end_tagged();
            if let Some(slot) = leaf.and_then(|l| ids.get_mut(l)) {
                *slot = Some(id);
            }
        }
        Op::Rule {
            x,
            y,
            width,
            gray: level,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x, *y);
            pb.line_to(*x + layout::CONTENT_WIDTH, *y);
            if let Some(path) = pb.finish() {
                surface.start_tagged(artifact(ArtifactType::Layout));
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: gray(*level).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.end_tagged();
            }
        }
        Op::Shade {
            x,
            y,
            w,
            h,
            gray: level,
        } => {
            let mut pb = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(rect);
            }
            if let Some(path) = pb.finish() {
                surface.start_tagged(artifact(ArtifactType::Layout));
                surface.set_fill(Some(Fill {
                    paint: gray(*level).into(),
                    opacity: NormalizedF32::ONE,
                    rule: Default::default(),
                }));
                surface.draw_path(&path);
                surface.set_fill(None);
                surface.end_tagged();
            }
        }
    }
}

fn draw_footer(surface: &mut Surface<'_>, fonts: &Fonts, left: &str, number: &str) {
    let face = fonts.face(false);
    let y = layout::FOOTER_BASELINE;
    surface.start_tagged(artifact(ArtifactType::Footer));
    let right = layout::MARGIN_X + layout::CONTENT_WIDTH;
    let number_x = right - face.width(number, FOOTER.size);
    // The left text gives way to the page number.
    let room = number_x - layout::MARGIN_X - 12.0;
    let mut left = left.to_owned();
    if face.width(&left, FOOTER.size) > room {
        while !left.is_empty()
            && face.width(&left, FOOTER.size) + face.width("…", FOOTER.size) > room
        {
            left.pop();
        }
        left = format!("{}…", left.trim_end());
    }
    let runs = [
        Run {
            x: layout::MARGIN_X,
            y,
            bold: false,
            size: FOOTER.size,
            text: left,
        },
        Run {
            x: number_x,
            y,
            bold: false,
            size: FOOTER.size,
            text: number.to_owned(),
        },
    ];
    draw_runs(surface, fonts, runs.as_slice());
    surface.end_tagged();
}

/// The structure with the leaves' identifiers in place. A group left without children
/// (nothing drawn) is left out.
fn tag_node(
    node: Node,
    ids: &mut [Option<Identifier>],
) -> Result<Option<krilla::tagging::Node>, LetterError> {
    match node {
        Node::Leaf(leaf) => ids
            .get_mut(leaf)
            .and_then(Option::take)
            .map(|id| Some(id.into()))
            .ok_or_else(|| LetterError::Pdf(format!("line {leaf} was not drawn"))),
        Node::Group(tag, children) => {
            let mut group = TagGroup::new(tag);
            for child in children {
                if let Some(c) = tag_node(child, ids)? {
                    group.push(c);
                }
            }
            Ok((!group.children.is_empty()).then(|| group.into()))
        }
    }
}

/// The outline: the headings, nested by level.
fn outline(marks: &[Mark], pages: usize) -> Outline {
    struct Entry {
        level: u16,
        node: OutlineNode,
    }
    let mut outline = Outline::new();
    let mut stack: Vec<Entry> = Vec::new();
    let close = |stack: &mut Vec<Entry>, outline: &mut Outline, level: u16| {
        while stack.last().is_some_and(|e| e.level >= level) {
            if let Some(done) = stack.pop() {
                match stack.last_mut() {
                    Some(parent) => parent.node.push_child(done.node),
                    None => outline.push_child(done.node),
                }
            }
        }
    };
    for mark in marks.iter().filter(|m| m.page < pages) {
        close(&mut stack, &mut outline, mark.level);
        let dest = XyzDestination::new(mark.page, Point::from_xy(layout::MARGIN_X, mark.y));
        stack.push(Entry {
            level: mark.level,
            node: OutlineNode::new(mark.title.clone(), dest).with_open(true),
        });
    }
    close(&mut stack, &mut outline, 0);
    outline
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wrap::para;

    fn letter(title: &str) -> Letter {
        Letter {
            title: title.to_owned(),
            footer: "Sag 1".to_owned(),
            author: "Kommunen".to_owned(),
            blocks: vec![
                Block::Heading(1, "Overskrift".to_owned()),
                Block::Para(para("Tekst.")),
            ],
        }
    }

    #[test]
    fn the_validator_refuses_what_pdf_ua_forbids() {
        assert!(render(&letter("Brev")).is_ok_and(|pdf| pdf.starts_with(b"%PDF-")));
        // Without a title the document is not PDF/UA-1, and no file comes out.
        match render(&letter("")) {
            Err(LetterError::NotAccessible(why)) => assert!(why.contains("NoDocumentTitle")),
            other => panic!("expected a refusal, got {:?}", other.map(|p| p.len())),
        }
    }

    #[test]
    fn the_outline_holds_every_heading_on_a_page() {
        let mark = |level, title: &str| Mark {
            level,
            title: title.to_owned(),
            page: 0,
            y: 100.0,
        };
        let marks = [
            mark(1, "Brev"),
            mark(2, "1."),
            mark(3, "a"),
            mark(2, "2."),
            mark(1, "X"),
        ];
        let outline = outline(&marks, 1);
        let debug = format!("{outline:?}");
        assert_eq!(debug.matches("OutlineNode").count(), 5, "{debug}");
        // Marks on pages that do not exist are left out.
        let outline = super::outline(
            &[Mark {
                page: 3,
                ..mark(1, "Brev")
            }],
            1,
        );
        assert!(!format!("{outline:?}").contains("OutlineNode"));
    }
}
