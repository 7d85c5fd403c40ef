" Syntax of the bytelens trace view (:BytelensTrace, trace lenses).
if exists('b:current_syntax')
  finish
endif

syntax match bytelensTraceLabel /^\(result\|raised\|stats\|output\|keys\)\>/
syntax match bytelensTraceRaised /^raised .*$/ contains=bytelensTraceLabel
syntax match bytelensTraceOpname /\<[A-Z][A-Z0-9]*_[A-Z0-9_]*\>\|\<[A-Z]\{3,}\>/
syntax match bytelensTraceStackLabel /^\s\+\zs\(stack\|blocks\|file\)\ze\s/
syntax match bytelensTraceTop /<- top$/

highlight default link bytelensTraceLabel Identifier
highlight default link bytelensTraceRaised ErrorMsg
highlight default link bytelensTraceOpname Statement
highlight default link bytelensTraceStackLabel Type
highlight default link bytelensTraceTop Comment

let b:current_syntax = 'bytelens-trace'
