" Syntax of the bytelens disassembly view (:BytelensDis), the `bytelens dis` listing.
if exists('b:current_syntax')
  finish
endif

syntax match bytelensDisHeader /^Disassembly of .*$/
syntax match bytelensDisOpname /\<[A-Z][A-Z0-9]*_[A-Z0-9_]*\>\|\<[A-Z]\{3,}\>/
syntax match bytelensDisTarget />>/
syntax match bytelensDisArgrepr /(.\{-})/ contains=NONE
syntax match bytelensDisPosition /\<\d\+:\d\+\(-\d\+\(:\d\+\)\=\)\=\s*$/

highlight default link bytelensDisHeader Title
highlight default link bytelensDisOpname Statement
highlight default link bytelensDisTarget Special
highlight default link bytelensDisArgrepr String
highlight default link bytelensDisPosition Comment

let b:current_syntax = 'bytelens-dis'
