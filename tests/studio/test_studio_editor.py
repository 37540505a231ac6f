"""The editor through the real app: diagnostics as you type, problems, completion, help."""

from __future__ import annotations

from studio_testing import LEARNING_RATE_LINE, wait_for_validation

from engine.spec import validate_text
from studio.app import StudioApp
from studio.screens.help import HelpScreen
from studio.widgets.completion import CompletionMenu
from studio.widgets.help_panel import FieldHelpPanel
from studio.widgets.problems_panel import ProblemsPanel
from studio.widgets.status_line import StatusLine


def errors_of(app: StudioApp):
    return [d for d in app.editor_screen.editor.diagnostics if d.is_error]


async def test_typing_a_mistake_shows_it_on_its_line_and_fixing_it_clears_it(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        assert errors_of(app) == []
        editor = app.editor_screen.editor
        editor.move_cursor((LEARNING_RATE_LINE, len(editor.document.get_line(LEARNING_RATE_LINE))))
        await pilot.press("x")  # learning_rate: 0.01x
        await wait_for_validation(pilot)

        [error] = errors_of(app)
        assert error.span.line == LEARNING_RATE_LINE
        assert error.path == ("training_parameters", "learning_rate")
        problems = app.screen.query_one(ProblemsPanel)
        assert error in problems.problems
        assert "1 error" in problems.border_title
        status = app.screen.query_one(StatusLine).message_part().plain
        assert status.startswith("error: ") and error.message[:20] in status
        marker_row = LEARNING_RATE_LINE - editor.scroll_offset.y
        assert editor.render_line(marker_row).text.startswith("▍")

        await pilot.press("backspace")
        await wait_for_validation(pilot)
        assert errors_of(app) == []
        assert not [d for d in problems.problems if d.is_error]
        assert not editor.render_line(marker_row).text.startswith("▍")


async def test_enter_on_a_problem_moves_the_cursor_to_it(job_path):
    job_path.write_text(job_path.read_text().replace("max_trials: 2", "max_trials: 0"))
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        [error] = errors_of(app)
        await pilot.press("f4")
        assert app.focused is app.screen.query_one(ProblemsPanel)
        await pilot.press("enter")
        await pilot.pause()
        editor = app.editor_screen.editor
        assert app.focused is editor
        assert editor.cursor_location == (error.span.line, error.span.column)


async def test_next_problem_key_visits_each_problem(job_path):
    text = job_path.read_text().replace("max_trials: 2", "max_trials: 0").replace("0.01", "7")
    job_path.write_text(text)
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        lines = sorted(d.span.line for d in errors_of(app))
        visited = []
        for _ in lines:
            await pilot.press("f8")
            visited.append(app.editor_screen.editor.cursor_location[0])
        assert visited == lines


async def test_completion_inserts_a_valid_key_then_a_valid_value(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        editor = app.editor_screen.editor
        editor.move_cursor((LEARNING_RATE_LINE, len(editor.document.get_line(LEARNING_RATE_LINE))))
        await pilot.press("enter", "o", "p", "t")
        assert editor.document.get_line(LEARNING_RATE_LINE + 1) == "  opt"  # Enter kept the indentation
        await pilot.press("ctrl+space")
        menu = app.screen.query_one(CompletionMenu)
        assert menu.is_open and [c.label for c in menu.completions] == ["optimizer"]
        await pilot.press("enter")
        assert editor.document.get_line(LEARNING_RATE_LINE + 1) == "  optimizer: "
        # The value's choices follow at once.
        assert menu.is_open and [c.label for c in menu.completions] == ["sgd", "adam", "adamw"]
        await pilot.press("down", "enter")
        assert editor.document.get_line(LEARNING_RATE_LINE + 1) == "  optimizer: adam"
        assert not menu.is_open and app.focused is editor
        await wait_for_validation(pilot)
        assert errors_of(app) == []
        assert validate_text(editor.text).job.training_parameters.optimizer == "adam"


async def test_completing_a_mapping_key_opens_its_block_at_the_right_indent(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        editor = app.editor_screen.editor
        last = editor.document.line_count - 1
        editor.move_cursor((last, 0))
        await pilot.press("s", "w", "e", "ctrl+space", "enter")
        assert editor.document.get_line(last) == "sweep:"
        assert editor.cursor_location == (last + 1, 2)
        await pilot.press("ctrl+space")
        menu = app.screen.query_one(CompletionMenu)
        assert [c.label for c in menu.completions] == ["early_termination", "sampling_algorithm"]
        await pilot.press("down", "enter")  # sampling_algorithm, then its first value
        await pilot.press("enter")
        assert editor.document.get_line(last + 1) == "  sampling_algorithm: random"
        await wait_for_validation(pilot)
        assert errors_of(app) == []


async def test_typing_with_the_menu_open_narrows_it_and_escape_closes_it(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        editor = app.editor_screen.editor
        editor.move_cursor((LEARNING_RATE_LINE, len(editor.document.get_line(LEARNING_RATE_LINE))))
        await pilot.press("enter", "ctrl+space")
        menu = app.screen.query_one(CompletionMenu)
        everything = len(menu.completions)
        await pilot.press("w", "e")
        assert editor.document.get_line(LEARNING_RATE_LINE + 1) == "  we"
        assert 0 < len(menu.completions) < everything
        assert all("we" in c.label for c in menu.completions)
        await pilot.press("escape")
        assert not menu.is_open and app.focused is editor


async def test_key_help_describes_the_key_under_the_cursor(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_validation(pilot)
        panel = app.screen.query_one(FieldHelpPanel)
        assert not panel.display
        app.editor_screen.editor.move_cursor((LEARNING_RATE_LINE, 4))
        await pilot.press("f2")
        assert panel.display
        shown = str(panel.render())
        assert "training_parameters.learning_rate" in shown
        assert "Initial learning rate" in shown and "Range: [0, 1]" in shown and "Default: 0.035" in shown
        await pilot.press("up", "up")  # model_name: its allowed values
        assert "Allowed: mobilenetv2, resnet18" in str(panel.render())
        await pilot.press("f2")
        assert not panel.display


async def test_keys_screen_lists_every_action(job_path):
    from studio.actions import ACTIONS

    app = StudioApp(job_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#keys-table")
        descriptions = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {action.description for action in ACTIONS} <= descriptions
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_status_line_shows_the_file_and_the_cursor(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_validation(pilot)
        await pilot.press("down", "right")
        shown = app.screen.query_one(StatusLine).right_part().plain
        assert "job.yml" in shown and "2:2" in shown and "●" not in shown
        await pilot.press("x")
        assert "●" in app.screen.query_one(StatusLine).right_part().plain
        assert isinstance(app.screen.query_one(StatusLine), StatusLine)


async def test_fits_an_80x24_terminal(job_path):
    app = StudioApp(job_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_validation(pilot)
        await pilot.press("f2")
        screen = app.screen
        assert screen.has_class("-narrow")
        panel = screen.query_one(FieldHelpPanel)
        editor = app.editor_screen.editor
        assert panel.region.width == 80  # docked under the editor, not squeezing it
        assert editor.region.width == 80 and editor.region.height >= 8
