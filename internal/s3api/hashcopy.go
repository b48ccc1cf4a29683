package s3api

import (
	"hash"
	"io"
)

// hashChunk is the unit copyHashed reads, writes and hashes.
const hashChunk = 1 << 20

// copyHashed copies src to dst until EOF, as io.Copy does, and writes
// every byte to the hashes too. While one chunk is written to dst the
// hashes take it in on another goroutine, so that hashing (MD5 runs at
// about the speed of a disk) does not add to the time of writing. Memory
// is two chunks whatever the size.
func copyHashed(dst io.Writer, src io.Reader, hashes ...hash.Hash) (int64, error) {
	bufs := [2][]byte{make([]byte, hashChunk), make([]byte, hashChunk)}
	hashed := make(chan struct{}, 1)
	busy := false // a hashing goroutine is running
	wait := func() {
		if busy {
			<-hashed
			busy = false
		}
	}
	defer wait()
	var n int64
	for i := 0; ; i ^= 1 {
		// bufs[i] was last hashed two chunks ago, and waited for since.
		m, rerr := fill(src, bufs[i])
		if m > 0 {
			chunk := bufs[i][:m]
			wait() // hashes take chunks in order
			busy = true
			go func() {
				for _, h := range hashes {
					h.Write(chunk)
				}
				hashed <- struct{}{}
			}()
			w, werr := dst.Write(chunk)
			n += int64(w)
			if werr != nil {
				return n, werr
			}
			if w != m {
				return n, io.ErrShortWrite
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// fill reads from src until buf is full or src fails, and returns src's
// error as it is: io.EOF at the end, whether or not buf was filled.
func fill(src io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
