"""Each event's code in the structured log (``info.code``): dbt's code where Fusion emits the
event dbt would, an ``F`` code for Fusion's own. A stable interface (docs/LOGGING.md)."""

from __future__ import annotations

CODES = {
    # as dbt Core
    "MainReportVersion": "A001",
    "JinjaLogInfo": "I062",
    "JinjaLogDebug": "I063",
    "NodeStart": "Q024",
    "NodeFinished": "Q025",
    "LogStartLine": "Q011",
    "LogTestResult": "Q007",
    "LogModelResult": "Q012",
    "LogSnapshotResult": "Q015",
    "LogSeedResult": "Q016",
    "LogNodeResult": "Q008",
    "SkippingDetails": "Q034",
    "DefaultSelector": "Q023",
    "ConcurrencyLine": "Q027",
    "NothingToDo": "Q035",
    "CommandCompleted": "Q039",
    "MainEncounteredError": "Z002",
    "Formatting": "Z017",
    "RunResultWarning": "Z021",
    "RunResultFailure": "Z022",
    "StatsLine": "Z023",
    "RunResultError": "Z024",
    "SQLCompiledPath": "Z026",
    "CheckNodeTestFailure": "Z027",
    "EndOfRunSummary": "Z030",
    "RunResultWarningMessage": "Z046",
    "PrintEvent": "Z052",
    "FinishedRunningStats": "E047",
    # Fusion's own
    "ParseDone": "F001",
    "CompileDone": "F002",
    "CompileError": "F003",
    "CompiledInline": "F004",
    "ListItem": "F005",
    "ShowResult": "F006",
    "Debug": "F007",
    "Clean": "F008",
    "Lineage": "F009",
    "OperationDone": "F010",
    "DepsInstalled": "F011",
    "FreshnessResult": "F012",
    "FreshnessError": "F013",
    "FreshnessDone": "F014",
    "HookError": "F016",
    "Interrupted": "F017",
    "CloneExists": "F018",
    "CloneNoState": "F019",
    "SelectorWins": "F020",
    "UnknownYamlKey": "F021",
    "NoNodeForYamlEntry": "F022",
    "TestTargetNotFound": "F023",
    "StaticAnalysis": "F024",
    "StaticAnalysisCatalog": "F025",
    "DriverInstall": "F026",
    "DriverDownloadProgress": "F027",
    "DevDriver": "F028",
    "TrustWarning": "F029",
}


def code(name: str) -> str:
    """The event's code; ``F000`` for an event a plugin emits under a name of its own."""
    return CODES.get(name, "F000")
