"""`main.py lessons` and `lessons --check`: the shipped list, and malformed lesson files each
refused with exit 2 and one line naming the file, the step and the field."""

import io

import pytest

import main
from engine.cli import COMMANDS, run
from engine.lessons import load_lesson, shipped_lessons

HEAD = "---\nname: broken\ntitle: A broken lesson\n---\n\n"
STEP1 = "## First look\nSome text.\n\n"


def lessons(*args):
    out, err = io.StringIO(), io.StringIO()
    code = run(["lessons", *args], out, err)
    return code, out.getvalue(), err.getvalue()


def test_lessons_lists_name_first_then_title():
    code, out, _ = lessons()
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(shipped_lessons()) == 10
    for line, path in zip(lines, shipped_lessons()):
        lesson = load_lesson(path)
        assert line.split()[0] == lesson.name and lesson.title in line


def test_check_all_shipped_lessons_passes():
    code, out, _ = lessons("--check")
    assert code == 0
    assert len(out.splitlines()) == 10 and all(line.startswith("ok") for line in out.splitlines())


def test_lessons_is_a_headless_command():
    assert "lessons" in COMMANDS and set(COMMANDS) <= main.HEADLESS_COMMANDS


def test_registry_listing():
    code, out, _ = lessons("--registry")
    assert code == 0 and "load_preset" in out and "grad_norm_ratio" in out


def test_files_without_check_is_a_usage_error():
    code, _, err = lessons(str(shipped_lessons()[0]))
    assert code == 2 and "--check" in err and len(err.splitlines()) == 1


# (file text or bytes, parts the one-line message must contain)
MALFORMED = {
    "no_header": ("## Step\ntext\n", ["header", "---"]),
    "unclosed_header": ("---\nname: x\ntitle: X\n## Step\ntext\n", ["header", "closing"]),
    "unknown_header_key": ("---\nname: x\ntitle: X\ncolour: red\n---\n## S\nt\n",
                           ["header line 4", "colour"]),
    "name_not_kebab": ("---\nname: My Lesson\ntitle: X\n---\n## S\nt\n", ["header", "kebab"]),
    "bad_mode": ("---\nname: x\ntitle: X\nmode: arcade\n---\n## S\nt\n", ["header", "mode"]),
    "missing_title": ("---\nname: x\n---\n## S\nt\n", ["header", "missing title"]),
    "bad_quoting": (HEAD + STEP1 + "## Load it\nText.\nshow: load_lab expression=\"x*2\n",
                    ["step 2 (“Load it”), show:", "quotation"]),
    "unknown_action": (HEAD + STEP1 + "## Load\nText.\nshow: lod_preset name=xor\n",
                       ["step 2 (“Load”), show:", "unknown action 'lod_preset'", "load_preset"]),
    "unknown_widget": (HEAD + "## Look\nText.\nhighlight: loss_plott\n",
                       ["step 1 (“Look”), highlight:", "unknown widget 'loss_plott'"]),
    "unknown_check": (HEAD + "## Do\nText.\ntask: loss_below value=0.1\n",
                      ["step 1 (“Do”), task:", "unknown check 'loss_below'"]),
    "missing_text": (HEAD + STEP1 + "## Empty\nshow: load_preset name=xor\n",
                     ["step 2 (“Empty”), text:", "missing"]),
    "field_does_not_exist": (HEAD + "## Set\nText.\ntask: option_set field=colour value=red\n",
                             ["step 1 (“Set”), task:", "field", "colour"]),
    "lab_name_not_in_expression": (
        HEAD + "## Lab\nText.\nshow: load_lab expression=\"f = x**2\" values=\"x=3\"\n"
        "task: lab_gradient name=w equals=6\n", ["step 1 (“Lab”), task:", "'w'", "input"]),
    "lab_check_without_lab": (HEAD + "## Lab\nText.\ntask: lab_value name=f equals=1\n",
                              ["step 1 (“Lab”), task:", "load_lab"]),
    "bad_expression": (HEAD + "## Lab\nText.\nshow: load_lab expression=\"f = (x\" values=x=1\n",
                       ["step 1 (“Lab”), show:", "expression"]),
    "lab_param_not_an_input": (
        HEAD + "## Lab\nText.\nshow: load_lab expression=\"f = x**2\" values=\"x=3\" params=w\n",
        ["step 1 (“Lab”), show:", "params", "'w'"]),
    "wrong_argument_type": (HEAD + "## Train\nText.\nshow: train steps=many\n",
                            ["step 1 (“Train”), show:", "steps", "whole number"]),
    "wrong_value_type": (HEAD + "## Set\nText.\nshow: set_field field=learning_rate value=fast\n",
                         ["step 1 (“Set”), show:", "value", "number"]),
    "unknown_argument": (HEAD + "## Load\nText.\nshow: load_preset preset=xor\n",
                         ["step 1 (“Load”), show:", "no argument 'preset'"]),
    "missing_argument": (HEAD + "## Check\nText.\ntask: training_loss\n",
                         ["step 1 (“Check”), task:", "below="]),
    "unknown_preset": (HEAD + "## Load\nText.\nshow: load_preset name=mnist\n",
                       ["step 1 (“Load”), show:", "name", "worked-example"]),
    "field_twice": (HEAD + "## Hint\nText.\nhint: a\nhint: b\n",
                    ["step 1 (“Hint”), hint:", "twice"]),
    "duplicate_step_title": (HEAD + STEP1 + "## First look\nAgain.\n",
                             ["step 2 (“First look”)", "same title as step 1"]),
    "text_too_long": (HEAD + "## Long\n" + "word " * 1200 + "\n",
                      ["step 1 (“Long”), text:", "at most 5,000"]),
    "too_many_steps": (HEAD + "".join(f"## S{i}\nt\n" for i in range(51)), ["51 steps", "50"]),
    "file_too_large": (HEAD + "## Big\nt\n" + "x" * (1024 * 1024 + 10), ["too large", "1 MB"]),
    "not_utf8": ((HEAD + "## Caf\xe9\ntext\n").encode("latin-1"), ["not a UTF-8"]),
    "text_before_first_step": (HEAD + "Hello\n## S\nt\n", ["line 6", "before the first step"]),
    "no_steps": (HEAD, ["no steps"]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_lesson_rejected_with_one_line(case, tmp_path):
    content, parts = MALFORMED[case]
    path = tmp_path / f"{case}.md"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    code, out, err = lessons("--check", str(path))
    assert code == 2, out
    assert err == ""
    (line,) = out.splitlines()
    assert line.startswith(f"error: lesson '{case}.md'")
    for part in parts:
        assert part in line, (part, line)


def test_check_several_files_one_line_each_and_duplicate_names(tmp_path):
    good = (tmp_path / "a.md", tmp_path / "b.md", tmp_path / "c.md")
    for p in good:
        p.write_text(HEAD + STEP1, encoding="utf-8")  # all three are named "broken"
    bad = tmp_path / "d.md"
    bad.write_text(HEAD + "## S\nt\nshow: nope\n", encoding="utf-8")
    code, out, _ = lessons("--check", *map(str, good), str(bad))
    lines = out.splitlines()
    assert code == 2 and len(lines) == 4
    assert lines[0].startswith("ok")
    assert "name 'broken' is also the name of 'a.md'" in lines[1]
    assert "unknown action 'nope'" in lines[3]


def test_missing_file_and_folder(tmp_path):
    code, out, _ = lessons("--check", str(tmp_path / "none.md"), str(tmp_path))
    assert code == 2 and len(out.splitlines()) == 2
    assert "cannot read lesson" in out
