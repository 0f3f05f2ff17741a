namespace ImeiEir.Store.Tests;
