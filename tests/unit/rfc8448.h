/*
 * RFC 8448 (Example Handshake Traces for TLS 1.3) as hex: the inputs, handshake messages,
 * intermediate secrets and protected records of section 3 (Simple 1-RTT Handshake,
 * TLS_AES_128_GCM_SHA256 over X25519) and the PSK values of section 4 (Resumed 0-RTT
 * Handshake). Shared by test_keys13.c and test_record.c, so the key schedule and the record
 * layer are held to the same trace.
 */
#ifndef PARLEY_RFC8448_H
#define PARLEY_RFC8448_H

/* Section 3 handshake messages, each with its 4-byte header. */
#define R8448_CLIENT_HELLO                                                                         \
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113"     \
    "031302010000910000000b0009000006736572766572ff01000100000a00140012001d001700180019010001"     \
    "0101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae"     \
    "4d5413691e529aaf2c002b0003020304000d0020001e04030503060302030804080508060401050106010201"     \
    "0402050206020202002d00020101001c00024001"
#define R8448_SERVER_HELLO                                                                         \
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e"     \
    "00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b0002"     \
    "0304"
#define R8448_ENCRYPTED_EXTENSIONS                                                                 \
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000"
#define R8448_CERTIFICATE                                                                          \
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e"     \
    "310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335"     \
    "395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902"     \
    "818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a"     \
    "95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda43"     \
    "0846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f02"     \
    "03010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d0101"     \
    "0b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5"     \
    "8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a"     \
    "99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4"     \
    "2b4de10000"
#define R8448_CERTIFICATE_VERIFY                                                                   \
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90"     \
    "db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac"     \
    "027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfac"     \
    "d42f74f3"
#define R8448_SERVER_FINISHED                                                                      \
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"
#define R8448_CLIENT_FINISHED                                                                      \
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"

/* Section 3 key exchange: the client's X25519 private key, the server's share, their secret. */
#define R8448_CLIENT_PRIVATE "49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005"
#define R8448_SERVER_PUBLIC  "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"
#define R8448_SHARED_SECRET  "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"

/* Section 3 key schedule. */
#define R8448_EARLY_SECRET "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a"
#define R8448_DERIVED_FOR_HANDSHAKE                                                                \
    "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba"
#define R8448_HANDSHAKE_SECRET   "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac"
#define R8448_HASH_CH_SH         "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"
#define R8448_C_HS_TRAFFIC       "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
#define R8448_S_HS_TRAFFIC       "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
#define R8448_DERIVED_FOR_MASTER "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4"
#define R8448_MASTER_SECRET      "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919"
#define R8448_S_HS_KEY           "3fce516009c21727d0f2e4e86ee403bc"
#define R8448_S_HS_IV            "5d313eb2671276ee13000b30"
#define R8448_C_HS_KEY           "dbfaa693d1762c5b666af5d950258d01"
#define R8448_C_HS_IV            "5bd3c71b836e0b76bb73265f"
#define R8448_S_FINISHED_KEY     "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8"
#define R8448_C_FINISHED_KEY     "b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4"
#define R8448_HASH_CH_SF         "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
#define R8448_C_AP_TRAFFIC       "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
#define R8448_S_AP_TRAFFIC       "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
#define R8448_EXP_MASTER         "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50"
#define R8448_S_AP_KEY           "9f02283b6c9c07efc26bb9f2ac92e356"
#define R8448_S_AP_IV            "cf782b88dd83549aadf1e984"
#define R8448_C_AP_KEY           "17422dda596ed5d9acd890e3c63f5051"
#define R8448_C_AP_IV            "5b78923dee08579033e523d9"
#define R8448_HASH_CH_CF         "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d"
#define R8448_RES_MASTER         "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c"

/* Section 3 protected records: the server flight (EncryptedExtensions..Finished) under the
 * server handshake key, the client Finished under the client handshake key, and the 50-byte
 * application data (00 01 .. 31) each side sends; the server's is its second record under its
 * application key (a NewSessionTicket went first). */
#define R8448_SERVER_FLIGHT_RECORD                                                                 \
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73"     \
    "f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b72"     \
    "9df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609"     \
    "aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb3"     \
    "60987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09"     \
    "ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea"     \
    "520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c"     \
    "84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531"     \
    "7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f2"     \
    "52107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7c"     \
    "ca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a376689"     \
    "36b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb"     \
    "5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b"     \
    "66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee"     \
    "340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c17"     \
    "19bfdabf0253fe5175be898e750edc53370d2b"
#define R8448_CLIENT_FINISHED_RECORD                                                               \
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46de"     \
    "b384bd1caeacab6867d726c40546"
#define R8448_CLIENT_APP_RECORD                                                                    \
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a"     \
    "20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4"
#define R8448_SERVER_APP_RECORD                                                                    \
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb"     \
    "501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d"

/* Section 4: the ticket PSK (ticket nonce 00 00) from section 3's resumption master secret, the
 * early secret and binder key it gives, and the binder over the ClientHello up to its binders. */
#define R8448_RES_PSK             "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3"
#define R8448_PSK_EARLY_SECRET    "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c"
#define R8448_RES_BINDER_KEY      "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256"
#define R8448_BINDER_FINISHED_KEY "5588673e72cb59c87d220caffe94f2dea9a3b1609f7d50e90a48227db9ed7eaa"
#define R8448_BINDER_HASH         "63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14"
#define R8448_BINDER              "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"
#define R8448_RESUMED_CH_PREFIX                                                                    \
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95000006130113"     \
    "031302010001cd0000000b0009000006736572766572ff01000100000a00140012001d001700180019010001"     \
    "01010201030104003300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4"     \
    "f18d668f0b002a0000002b0003020304000d0020001e04030503060302030804080508060401050106010201"     \
    "0402050206020202002d00020101001c00024001001500570000000000000000000000000000000000000000"     \
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"     \
    "0000000000000000000000000000000000000000000000002900dd00b800b22c035d829359ee5ff7af4ec900"     \
    "000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211"     \
    "7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4"     \
    "dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac"     \
    "5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb"

#endif
