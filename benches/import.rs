//! `yanbao import` speed (issue 20): importing a report the size of the
//! largest real ones and more (a synthetic 1 MB Markdown: numbered
//! chapters and sections, paragraphs with figures, pipe and tab tables,
//! lists, captions, 资料来源 lines and page markers) must take ≤ 1 s; the
//! first frame of `yanbao FILE.md` on it (import, load with the bundled
//! reports, the search index, the app, one render at 120x40, as the binary
//! does) ≤ 200 ms. Figures in docs/PERFORMANCE.md.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;
use std::sync::Arc;
use yanbao::app::App;
use yanbao::import::synthetic::synthetic_markdown;
use yanbao::import::{Encoding, import};
use yanbao::keymap::Keymap;
use yanbao::theme::{ColorDepth, Theme};

fn bench(c: &mut Criterion) {
    let md = synthetic_markdown(1 << 20);
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    g.bench_function("import 1 MB Markdown", |b| {
        b.iter(|| black_box(import("synthetic.md", md.as_bytes(), Encoding::Utf8).expect("imports")).sections)
    });
    g.bench_function("first frame of yanbao FILE.md, 1 MB", |b| {
        b.iter(|| {
            let imp = import("synthetic.md", md.as_bytes(), Encoding::Utf8).expect("imports");
            let mut files = yanbao::content::bundled_files();
            for (k, v) in &imp.files {
                if k.ends_with(".yaml") {
                    files.insert(format!("(file)/{}/{k}", imp.id), v.clone());
                }
            }
            let (lib, errors) = yanbao::content::load(&files);
            assert!(errors.is_empty(), "{errors:?}");
            let index = yanbao::search::Index::build(&lib);
            let app = App::new(
                Arc::new(lib),
                Arc::new(index),
                Arc::new(Keymap::defaults()),
                Theme::new(ColorDepth::Ansi16, false),
                (120, 40),
            );
            let area = Rect::new(0, 0, 120, 40);
            let mut buf = Buffer::empty(area);
            yanbao::ui::render(&app, area, &mut buf);
            black_box(buf.content.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
