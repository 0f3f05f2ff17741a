namespace ImeiEir.Server.Tests;
