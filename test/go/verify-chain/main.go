// verify-chain checks a leaf certificate the way Go programs do (crypto/x509): against only the
// given roots, with any intermediates, for server or client use. It prints "OK" and exits 0, or
// prints Go's own error and exits 1. Standard library only, so the tests build it offline.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
)

func certs(path string) []*x509.Certificate {
	data, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return out
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			fail(err)
		}
		out = append(out, cert)
	}
}

func fail(err error) {
	fmt.Println(err)
	os.Exit(1)
}

func main() {
	roots := flag.String("roots", "", "PEM file of trusted roots")
	chain := flag.String("cert", "", "PEM file: the leaf first, then any intermediates")
	flag.Parse()
	pool := x509.NewCertPool()
	for _, c := range certs(*roots) {
		pool.AddCert(c)
	}
	chainCerts := certs(*chain)
	if len(chainCerts) == 0 {
		fail(fmt.Errorf("no certificate in %s", *chain))
	}
	inter := x509.NewCertPool()
	for _, c := range chainCerts[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: pool, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	if _, err := chainCerts[0].Verify(opts); err != nil {
		fail(err)
	}
	fmt.Println("OK")
}
