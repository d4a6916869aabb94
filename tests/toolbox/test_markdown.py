"""toolbox/markdown.py and the ``markdown`` filter: staff Markdown rendered safely."""

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from toolbox.markdown import clean_html, render_markdown

REL = 'rel="nofollow noopener noreferrer"'


def test_common_markdown_becomes_the_expected_html():
    text = "Some **bold**, *emphasis* and `code`.\n\n- one\n- two\n\n> quoted\n\n---"
    assert render_markdown(text) == (
        "<p>Some <strong>bold</strong>, <em>emphasis</em> and <code>code</code>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        "<hr>\n"
    )


def test_result_is_a_safe_string_so_templates_do_not_escape_it():
    assert isinstance(render_markdown("hi"), SafeString)


@pytest.mark.parametrize("text", [None, "", "   \n  "])
def test_empty_text_renders_nothing(text):
    assert render_markdown(text) == ""


def test_headings_are_shifted_so_staff_content_never_makes_an_h1():
    assert (
        render_markdown("# Title\n\n## Part\n\n### Detail")
        == '<h2 class="h4">Title</h2>\n<h3 class="h5">Part</h3>\n<h4 class="h6">Detail</h4>\n'
    )


def test_headings_deeper_than_h4_are_clamped_to_h4():
    assert render_markdown("##### Five\n\n###### Six") == '<h4 class="h6">Five</h4>\n<h4 class="h6">Six</h4>\n'


def test_top_level_sets_what_a_hash_heading_becomes():
    html = render_markdown("# Inside a section\n\n## Below", top_level=3)
    assert html == '<h3 class="h5">Inside a section</h3>\n<h4 class="h6">Below</h4>\n'


@pytest.mark.parametrize("level", [0, 1, -5])
def test_top_level_below_two_still_gives_no_h1(level):
    assert render_markdown("# Title", top_level=level) == '<h2 class="h4">Title</h2>\n'


def test_raw_html_in_markdown_is_shown_as_text_not_run():
    assert render_markdown("<script>alert(1)</script>hi") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;hi</p>\n"


def test_html_attributes_typed_in_markdown_stay_text():
    assert render_markdown('<a href="x" onclick="steal()">a</a>') == (
        '<p>&lt;a href="x" onclick="steal()"&gt;a&lt;/a&gt;</p>\n'
    )


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("[go](javascript:alert(1))", "<p>[go](javascript:alert(1))</p>\n"),
        ("[go](JaVaScRiPt:alert(1))", "<p>[go](JaVaScRiPt:alert(1))</p>\n"),
        ("[go](data:text/html,hi)", "<p>[go](data:text/html,hi)</p>\n"),
    ],
)
def test_dangerous_link_schemes_do_not_become_links(text, html):
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            '[site](https://example.org "Our site")',
            f'<p><a href="https://example.org" title="Our site" {REL}>site</a></p>\n',
        ),
        ("[plain](http://example.org)", f'<p><a href="http://example.org" {REL}>plain</a></p>\n'),
        ("[write](mailto:team@example.org)", f'<p><a href="mailto:team@example.org" {REL}>write</a></p>\n'),
        ("[calls](/calls/)", f'<p><a href="/calls/" {REL}>calls</a></p>\n'),
    ],
)
def test_allowed_links_keep_href_and_title_and_get_rel(text, html):
    assert render_markdown(text) == html


def test_images_are_dropped():
    assert render_markdown("![a cat](https://example.org/cat.png)") == "<p></p>\n"


def test_tables_render_without_inline_styles_the_csp_would_block():
    assert render_markdown("| a | b |\n|--:|---|\n| 1 | 2 |") == (
        '<table class="table">\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n'
        "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_fenced_code_keeps_text_and_loses_the_class():
    assert render_markdown("```python\nx = 1 < 2\n```") == "<pre><code>x = 1 &lt; 2\n</code></pre>\n"


# The sanitiser on its own: whatever the parser might let through, nh3 removes.


def test_sanitiser_drops_script_with_its_content():
    assert clean_html("<p>hi<script>alert(1)</script></p>") == "<p>hi</p>"


def test_sanitiser_drops_event_handler_attributes():
    assert clean_html('<p onclick="x()" onmouseover="y()">hi</p>') == "<p>hi</p>"


def test_sanitiser_drops_javascript_hrefs_but_keeps_the_text():
    assert clean_html('<a href="javascript:alert(1)">go</a>') == f"<a {REL}>go</a>"


def test_sanitiser_drops_images_and_iframes():
    html = '<p>a<img src="x" onerror="y()">b<iframe src="https://evil.example"></iframe>c</p>'
    assert clean_html(html) == "<p>abc</p>"


def test_sanitiser_drops_style_attributes_and_elements():
    assert clean_html('<td style="text-align:right">1</td><style>p{}</style>') == "1"


def test_sanitiser_turns_h1_into_text_and_replaces_a_given_rel():
    assert clean_html('<h1>Big</h1><a href="https://e.org" rel="opener">x</a>') == (
        f'Big<a href="https://e.org" {REL}>x</a>'
    )


def test_filter_renders_in_a_template_and_takes_the_top_level():
    template = Template("{% load markdown %}{{ text|markdown }}|{{ text|markdown:3 }}|{{ text|markdown:'x' }}")
    assert template.render(Context({"text": "# Hi <b>"})) == (
        '<h2 class="h4">Hi &lt;b&gt;</h2>\n|<h3 class="h5">Hi &lt;b&gt;</h3>\n|<h2 class="h4">Hi &lt;b&gt;</h2>\n'
    )


def test_sanitiser_sets_the_presentation_classes_whatever_the_input_says():
    html = '<h2 class="evil" id="x">t</h2><table class="x"><tr><td class="y">1</td></tr></table>'
    assert clean_html(html) == '<h2 class="h4">t</h2><table class="table"><tbody><tr><td>1</td></tr></tbody></table>'
