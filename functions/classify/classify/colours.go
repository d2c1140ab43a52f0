package classify

// Analyze is the default ColourFunc: the shared colour package's analysis
// converted to the catalog's record.
var Analyze ColourFunc
