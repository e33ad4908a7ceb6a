import sqlalchemy as sa
from sqlalchemy import event
from tests.fakes.model_server import Reply
from tests.workflows.harness import RunStack

async def test_count(stack: RunStack) -> None:
    stack.model.script(Reply("hi"), Reply("hi"))
    assistant = await stack.assistant(model="gpt-4o-mini")
    run = await stack.wait(await stack.start(assistant, await stack.thread("warm")))
    stmts = []
    def before(conn, cursor, statement, parameters, context, executemany):
        stmts.append(statement.split("\n")[0][:110])
    event.listen(stack.store.engine.sync_engine, "before_cursor_execute", before)
    thread = await stack.thread("hello")
    n0 = len(stmts)
    run = await stack.wait(await stack.start(assistant, thread))
    print("\nSTATEMENTS", len(stmts), "after thread", n0)
    for s in stmts: print("  ", s)
    assert run.status == "completed"
