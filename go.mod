module github.com/veglens/veglens

go 1.26
