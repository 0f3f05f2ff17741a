using System.CommandLine;
using ImeiEir.Tools.EirCtl;

var root = new RootCommand("eirctl: ImeiEir's command-line tool for operators and registry admins")
{
    BackupCommand.Create(),
    CheckCommand.Create(),
    ClonesCommand.Create(),
    GenCommand.Create(),
    GraceCommand.Create(),
    LegacyCommand.Create(),
    NoticesCommand.Create(),
    OverviewCommand.Create(),
    PushCommand.Create(),
    StatusCommand.Create(withHistory: false),
    StatusCommand.Create(withHistory: true),
    SubscribersCommand.Create(),
    TacCommand.Create(),
    TokenCommand.Create(),
};
return root.Parse(args).Invoke();
